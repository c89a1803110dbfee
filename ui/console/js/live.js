'use strict';
// live.js: keeping a page fresh. The server's live feed (a websocket,
// /api/admin/live) names what changed; a page reloads what it shows when a
// topic it watches comes up, and polls slowly as well, faster while the
// feed is down.
(function (C) {
  const settle = 300; // a burst of changes (an event cancelled: many bookings) becomes one reload
  const retryFirst = 1000; // the first reconnect after the feed drops; doubled each time
  const retryMax = 30000; // the longest wait between reconnects
  const tickEvery = 5000; // how often a page looks whether a poll is due

  // liveFeed keeps the console's live feed open while the page of ctx is
  // shown: onChange runs (settled: a burst is one call) when a topic of
  // watch changed, and each time the feed comes up, since changes before
  // it were not told; onState runs when it comes up or goes down. Dropped,
  // it reconnects after 1 s, 2 s, 4 s … at most retryMax, and not while
  // the tab is hidden.
  C.liveFeed = function (ctx, watch, onChange, onState) {
    const feed = { connected: false };
    if (!window.WebSocket) return feed;
    let ws = null;
    let retry = retryFirst;
    let retryTimer = 0;
    let settleTimer = 0;
    let ended = false;

    function soon() {
      if (settleTimer) return;
      settleTimer = setTimeout(() => {
        settleTimer = 0;
        if (!ended) onChange();
      }, settle);
    }

    function open() {
      retryTimer = 0;
      if (ended) return;
      try {
        ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/admin/live`);
      } catch (e) {
        return down();
      }
      ws.onmessage = (ev) => {
        let m;
        try {
          m = JSON.parse(ev.data);
        } catch (e) {
          return;
        }
        if (m.type === 'hello') {
          // Whatever changed before the server knew this page (the first
          // load, the time the feed was down) is read again.
          retry = retryFirst;
          feed.connected = true;
          onState();
          soon();
        } else if (m.type === 'changed' && (!Array.isArray(m.topics) || m.topics.some((t) => watch.includes(t)))) {
          soon();
        }
      };
      ws.onclose = down;
    }

    // down notes that the feed dropped (or never came up) and plans the
    // next try.
    function down() {
      if (ws) ws.onclose = ws.onmessage = null;
      ws = null;
      if (ended) return;
      if (feed.connected) {
        feed.connected = false;
        onState();
      }
      if (document.hidden) {
        document.addEventListener('visibilitychange', shown);
        return;
      }
      retryTimer = setTimeout(open, retry);
      retry = Math.min(retry * 2, retryMax);
    }

    function shown() {
      if (document.hidden) return;
      document.removeEventListener('visibilitychange', shown);
      if (!ended && !ws && !retryTimer) open();
    }

    C.onLeave(() => {
      ended = true;
      clearTimeout(retryTimer);
      clearTimeout(settleTimer);
      document.removeEventListener('visibilitychange', shown);
      if (ws) {
        ws.onclose = ws.onmessage = null;
        ws.close(1000);
      }
      ws = null;
    }, ctx.gen);
    if (!ended) open();
    return feed;
  };

  // fresh keeps the page of ctx fresh: o.load() (async) runs at once, when
  // the live feed names a topic of o.watch, and at the latest every
  // o.pollLive ms with the feed or o.pollDown ms without it; one at a time
  // (asked while one runs, it runs once more after it); a change that
  // comes while the tab is hidden is loaded when it is shown again.
  // o.status, an element, says how the page stays fresh and when it last
  // did, or why the last load failed. It returns {refresh(byHand)}, which
  // resolves once the page is up to date.
  C.fresh = async function (ctx, o) {
    let loading = null; // the load in flight
    let again = false; // something changed while it ran
    let last = 0; // when the page last loaded (Date.now)
    let stale = false; // a change came while the tab was hidden
    let stamp = ''; // the clock of the last load
    let failed = ''; // why the last load failed

    function show() {
      if (!o.status || !C.current(ctx.gen)) return;
      const how = feed.connected ? '实时更新' : `每${o.pollDown / 1000}秒自动更新`;
      o.status.textContent = failed ? `${how} · 更新失败:${failed}` : `${how}${stamp ? ` · 上次更新 ${stamp}` : ''}`;
    }

    async function once() {
      try {
        await o.load();
        failed = '';
        stamp = C.clock();
      } catch (e) {
        if (e.status === 401) return;
        failed = C.errorText(e);
      }
      show();
    }

    async function run() {
      try {
        do {
          again = false;
          stale = false;
          last = Date.now();
          await once();
        } while (again && C.current(ctx.gen));
      } finally {
        loading = null;
      }
    }

    async function refresh(byHand) {
      if (loading) again = true;
      else loading = run();
      await loading;
      if (byHand && C.current(ctx.gen)) C.say(failed ? `刷新失败:${failed}` : '已刷新。', failed ? 'err' : '');
    }

    const feed = C.liveFeed(ctx, o.watch, () => {
      if (document.hidden) stale = true;
      else refresh(false);
    }, show);
    await refresh(false);
    C.every(tickEvery, () => {
      if (stale || Date.now() - last >= (feed.connected ? o.pollLive : o.pollDown)) refresh(false);
    });
    return { refresh };
  };
})(window.C);
