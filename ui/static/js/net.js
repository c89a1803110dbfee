'use strict';
// net.js: the JSON API and the kiosk's websocket (protocol v1, see
// docs/kiosk-protocol.md). The server pushes everything the kiosk shows;
// the kiosk never polls. On a lost connection it reconnects with jittered
// backoff from 1 s doubling to 30 s.
(function (K) {
  const TOKEN_KEY = 'chorus.kiosk.token';
  K.TOKEN_KEY = TOKEN_KEY;

  // ApiError is Chorus's one error type (lib/api.js): its message is the
  // server's sentence and next what the resident can do next.
  K.ApiError = Chorus.ApiError;

  // apiTimeout (ms) ends a call that got no answer: a LAN answer takes
  // well under a second. K.submit retries a request that timed out.
  K.apiTimeout = 15000;

  // kioskAuth is the header of calls made as the kiosk itself.
  K.kioskAuth = () => ({ Authorization: 'Bearer ' + K.token() });

  // api calls the JSON API and returns the decoded answer, or throws an
  // ApiError whose message is the server's sentence. Every call is made
  // as the paired kiosk: the server shows a resident's bookings, names
  // and address only to kiosks and staff.
  K.api = Chorus.client({
    timeout: () => K.apiTimeout,
    headers: () => (K.token() ? K.kioskAuth() : {}),
    networkError: () => new Chorus.ApiError(0, 'network', '网络断开了,没有连上服务器。', '您填的内容都还在,网络恢复后请再点一次。'),
    // 429: the server's sentence (操作太频繁了,请稍等一分钟再试。) and
    // nothing is lost by waiting.
    failure: (status, data) => Chorus.failure(status, data, '服务器暂时出了问题。',
      status === 429 ? '您填的内容都还在,过一分钟再点一次就好。' : ''),
  });

  K.token = function () {
    try {
      return localStorage.getItem(TOKEN_KEY) || '';
    } catch (e) {
      return '';
    }
  };
  K.setToken = function (t) {
    try {
      if (t) localStorage.setItem(TOKEN_KEY, t);
      else localStorage.removeItem(TOKEN_KEY);
    } catch (e) { /* storage full or off: the kiosk pairs again next time */ }
  };

  // ---- the websocket ----
  const heartbeatEvery = 10000; // ms, as the protocol asks
  const backoffFirst = 1000;    // ms
  const backoffMax = 30000;     // ms

  const L = {
    ws: null,
    attempt: 0,
    timer: null,
    beat: null,
    lastSeq: null,
    waitingSnapshot: true,
    stopped: true,
    onMessage: () => {},
    onState: () => {},   // called with true once a snapshot arrived, false when the link drops
    onRevoked: () => {},
  };
  K.link = L;

  L.start = function () {
    L.stopped = false;
    clearTimeout(L.timer);
    if (!L.ws) L.connect();
  };

  L.stop = function () {
    L.stopped = true;
    clearTimeout(L.timer);
    clearInterval(L.beat);
    if (L.ws) {
      const ws = L.ws;
      L.ws = null;
      ws.onclose = ws.onmessage = ws.onerror = ws.onopen = null;
      try { ws.close(); } catch (e) { /* already closed */ }
    }
  };

  // ticket fetches a short-lived, single-use websocket ticket with the
  // token (in the Authorization header): the token itself never goes in
  // a URL, where proxies would log it. '' when the server cannot be
  // reached; a 401 or 403 means unpaired or revoked.
  L.ticket = async function (tok) {
    try {
      const r = await K.api('POST', '/api/kiosk/ticket', null, { Authorization: 'Bearer ' + tok });
      return (r && r.ticket) || '';
    } catch (e) {
      if (L.refused(e, tok)) return null;
      return '';
    }
  };

  // refused reports a 401 or 403 to a call made with token tok, still the
  // kiosk's: unpaired or revoked.
  L.refused = function (e, tok) {
    if ((e.status !== 401 && e.status !== 403) || K.token() !== tok) return false;
    L.onRevoked(e.status === 403 ? '这台自助机已停用,请联系工作人员。' : '');
    return true;
  };

  L.connect = async function () {
    const tok = K.token();
    if (!tok || L.stopped || L.ws || L.connecting) return;
    L.connecting = true;
    const ticket = await L.ticket(tok);
    L.connecting = false;
    if (ticket === null || L.stopped || L.ws) return;
    if (!ticket) {
      L.onState(false);
      L.retry();
      return;
    }
    const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host +
      '/kiosk/ws?ticket=' + encodeURIComponent(ticket);
    let ws;
    try {
      ws = new WebSocket(url);
    } catch (e) {
      L.retry();
      return;
    }
    L.ws = ws;
    L.lastSeq = null;
    L.waitingSnapshot = true;
    let opened = false;
    ws.onopen = function () {
      opened = true;
      L.send({ type: 'hello', app_version: K.version, screen: K.screenId() });
      clearInterval(L.beat);
      L.beat = setInterval(() => L.send({ type: 'heartbeat', app_version: K.version, screen: K.screenId() }), heartbeatEvery);
    };
    ws.onmessage = function (ev) {
      let m;
      try {
        m = JSON.parse(ev.data);
      } catch (e) {
        return;
      }
      if (!m || m.v !== 1 || typeof m.type !== 'string') return;
      if (!L.inOrder(m)) return;
      if (m.type === 'snapshot') {
        L.attempt = 0;
        L.onState(true);
      }
      L.onMessage(m);
    };
    ws.onclose = function (ev) {
      if (L.ws !== ws) return;
      L.ws = null;
      clearInterval(L.beat);
      L.onState(false);
      if (ev.code === 4403) { // revoked: never reconnect
        L.onRevoked('这台自助机已停用,请联系工作人员。');
        return;
      }
      if (!opened) L.checkToken();
      L.retry();
    };
    ws.onerror = function () { /* onclose follows */ };
  };

  // inOrder checks the per-connection sequence number; on a gap it asks
  // for a snapshot and drops deltas until it comes.
  L.inOrder = function (m) {
    const seq = typeof m.seq === 'number' ? m.seq : null;
    if (m.type === 'snapshot') {
      L.lastSeq = seq;
      L.waitingSnapshot = false;
      return true;
    }
    if (L.waitingSnapshot) return m.type === 'revoked' || m.type === 'reload' || m.type === 'error';
    if (seq !== null && L.lastSeq !== null && seq !== L.lastSeq + 1) {
      L.waitingSnapshot = true;
      L.send({ type: 'resync' });
      return false;
    }
    if (seq !== null) L.lastSeq = seq;
    return true;
  };

  L.retry = function () {
    if (L.stopped) return;
    const base = Math.min(backoffMax, backoffFirst * Math.pow(2, L.attempt));
    L.attempt++;
    const wait = base * (0.5 + Math.random()); // jitter: a room of kiosks does not reconnect at once
    clearTimeout(L.timer);
    L.timer = setTimeout(L.connect, wait);
  };

  // checkToken asks the server whether the token still works after a
  // handshake failed: 401 or 403 means unpaired or revoked.
  L.checkToken = async function () {
    const tok = K.token();
    if (!tok) return;
    try {
      await K.api('GET', '/api/kiosk/me', null, { Authorization: 'Bearer ' + tok });
    } catch (e) {
      L.refused(e, tok); // else the server is down: keep retrying
    }
  };

  L.send = function (m) {
    if (!L.ws || L.ws.readyState !== 1) return false;
    m.v = 1;
    try {
      L.ws.send(JSON.stringify(m));
      return true;
    } catch (e) {
      return false;
    }
  };

  L.connected = () => !!L.ws && L.ws.readyState === 1 && !L.waitingSnapshot;
})(window.K);
