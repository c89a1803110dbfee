'use strict';
// app.js: the kiosk's state and the frame around every screen: navigation
// (返回 and 首页 always in the same place), 朗读/停止, volume, text size, the
// idle prompt, the offline banner, overlays, and what the server pushes.
(function (K) {
  const sizeNames = ['大', '较大', '特大'];

  // data is what the server pushed: it outlives sessions.
  K.data = {
    kiosk: null,
    mode: { kind: 'booking' },
    events: [],
    programmes: [],
    announcements: [],
    settings: { idle_seconds: 90, text_size: 0, printer: false },
    clockOffset: 0,   // server time minus local time, ms
    estates: null,    // loaded once when a resident first needs them
    loaded: false,    // a snapshot has arrived
  };
  K.pending = { mode: null, reload: false };

  // session is one resident's visit; reset clears it all.
  function freshSession() {
    return {
      stack: [],           // screens to go back to: {name, args}
      cur: null,           // the screen shown: {name, args}
      d: {},               // what the resident chose and entered
      pages: {},           // the page shown of each paged list
      touched: false,      // the resident changed anything at all
      autoRead: false,     // read each new screen aloud (after 朗读)
      sizeChosen: false,   // the resident picked a text size
    };
  }
  K.session = freshSession();
  K.screens = {};

  K.screenId = () => (K.shown && K.shown.id) || 'start';

  // ---- navigation ----
  // show goes forward to screen name; a screen already on the way back is
  // returned to instead of stacked again.
  K.show = function (name, args) {
    const s = K.session;
    const at = s.stack.findIndex((e) => e.name === name);
    if (at >= 0) s.stack.length = at;
    else if (s.cur) s.stack.push(s.cur);
    s.cur = { name, args: args || {} };
    s.touched = true;
    K.render();
  };

  // finish shows a done screen: going back into a finished task is not
  // possible, only 首页.
  K.finish = function (name, args) {
    K.session.stack = [];
    K.session.cur = { name, args: args || {}, done: true };
    K.render();
  };

  K.back = function () {
    const s = K.session;
    if (!s.stack.length) return;
    s.cur = s.stack.pop();
    K.render();
  };

  // startScreen is the screen of the kiosk's mode.
  K.startScreen = function () {
    if (!K.token()) return 'pair';
    const kind = K.data.mode && K.data.mode.kind;
    if (kind === 'closed') return 'closed';
    if (kind === 'checkin') return 'checkin';
    return 'welcome';
  };

  // atRest reports that nobody is using the screen: the start screen with
  // nothing entered.
  K.atRest = function () {
    const s = K.session;
    return !s.touched && s.stack.length === 0 && (!s.cur || s.cur.name === K.startScreen());
  };

  K.live = new Map(); // key → [{el, fn}]: numbers updated in place

  // watch registers fn to refresh el when key ("slot:12", "event:3",
  // "programme:1") changes.
  K.watch = function (key, el, fn) {
    if (!K.live.has(key)) K.live.set(key, []);
    K.live.get(key).push({ el, fn });
    fn(el);
    return el;
  };
  K.refresh = function (key) {
    for (const w of K.live.get(key) || []) w.fn(w.el);
  };

  // setHint writes the footer's hint, its times, dates and phones large.
  K.setHint = (text) => K.$('#hint').replaceChildren(...K.numbers(text || ''));

  // render draws the current screen into the frame.
  K.render = function () {
    const s = K.session;
    if (!s.cur) s.cur = { name: K.startScreen(), args: {} };
    const make = K.screens[s.cur.name];
    K.live = new Map();
    const sc = make(s.cur.args || {});
    K.shown = sc;
    document.title = sc.title + ' - 社区自助服务';
    K.$('#title').textContent = sc.title;
    K.setHint(sc.hint);
    const main = K.$('#main');
    main.replaceChildren(sc.body);
    const start = s.cur.name === K.startScreen();
    K.block(K.$('#back'), !s.stack.length || !!sc.noBack);
    K.block(K.$('#home'), start && !s.stack.length && !sc.homeable);
    if (sc.mounted) sc.mounted();
    condense(sc);
    if (K.scan) K.scan.sync(); // check-in mode: the camera and the scanner
    K.link.send({ type: 'screen', screen: sc.id });
    K.armAutoHome(sc.autoHome || 0);
    if (s.autoRead) K.readScreen();
  };

  // condense keeps the whole screen, its primary action above all, inside
  // the viewport: lists page themselves (K.paged); when the rest still
  // does not fit, the screen's text steps down a size or two (never under
  // the body size of 大), the keypad's keys get shorter (never under 96
  // px), and the lists are paged again.
  function condense(sc) {
    const main = K.$('#main');
    main.classList.remove('c1', 'c2');
    for (const c of ['c1', 'c2']) {
      if (!overflows(main)) return;
      main.classList.add(c);
      if (sc.mounted) sc.mounted();
    }
  }

  // overflows reports that some of main's content lies outside its box or
  // outside the box of the part of the screen holding it.
  function overflows(main) {
    const boxes = [main, ...main.querySelectorAll('.screen, .columns, .columns > *, .side, .welcome > *, .pagebox')];
    if (boxes.some((e) => e.clientHeight > 0 && e.scrollHeight > e.clientHeight + 1)) return true;
    const m = main.getBoundingClientRect();
    return [...main.querySelectorAll('button.primary')].some((b) => {
      const r = b.getBoundingClientRect();
      return r.height > 0 && (r.bottom > m.bottom + 0.5 || r.right > m.right + 0.5);
    });
  }
  K.overflows = () => overflows(K.$('#main'));

  // ---- the rail: 朗读, 停止, volume, text size ----
  function setupRail() {
    K.setTap(K.$('#back'), () => K.back());
    K.setTap(K.$('#home'), () => K.reset());
    K.setTap(K.$('#read'), () => {
      if (!K.speech.available()) {
        K.notice('不能朗读', '这台自助机没有安装中文语音,暂时不能朗读。需要帮忙请找工作人员。');
        return;
      }
      K.session.autoRead = true; // from now on each new screen is read too
      K.session.touched = true;
      K.readScreen();
    });
    K.setTap(K.$('#stop'), () => {
      K.session.autoRead = false;
      K.speech.stop();
    });
    K.setTap(K.$('#quieter'), () => setVolume(K.speech.level - 1));
    K.setTap(K.$('#louder'), () => setVolume(K.speech.level + 1));
    K.setTap(K.$('#smaller'), () => setSize(K.textSize - 1, true));
    K.setTap(K.$('#bigger'), () => setSize(K.textSize + 1, true));
    K.speech.onChange = speechButtons;
    speechButtons();
  }

  function speechButtons() {
    const ok = K.speech.available();
    K.$('#read').textContent = ok ? '朗读' : '朗读不可用';
    K.$('#read').setAttribute('aria-disabled', ok ? 'false' : 'true');
    K.$('#stop').textContent = ok ? '停止' : '停止朗读';
    K.block(K.$('#stop'), !ok);
    for (const id of ['#quieter', '#louder']) K.block(K.$(id), !ok);
  }

  function setVolume(level) {
    const S = K.speech;
    S.setLevel(level);
    K.$('#volume').textContent = String(S.level);
    K.session.touched = K.session.touched || S.level !== S.defaultLevel;
    S.say('音量' + S.level);
  }

  K.textSize = 0;
  function setSize(level, byResident) {
    K.textSize = Math.max(0, Math.min(2, level));
    document.documentElement.dataset.size = String(K.textSize);
    K.$('#size').textContent = sizeNames[K.textSize];
    K.block(K.$('#smaller'), K.textSize === 0);
    K.block(K.$('#bigger'), K.textSize === 2);
    if (byResident) {
      K.session.sizeChosen = true;
      K.session.touched = true;
    }
    if (K.session.cur) K.render();
  }
  K.setSize = setSize;

  // ---- overlays ----
  // dialog covers the screen with a message and buttons: [{label, fn,
  // primary}]. It returns the overlay's content for the idle countdown.
  K.dialog = function (title, lines, buttons, id) {
    const ov = K.$('#overlay');
    const row = K.el('div', { class: 'row' });
    const box = K.el('div', { class: 'dialog', id: id || 'dialog', role: 'dialog', 'aria-modal': 'true' },
      K.el('h2', {}, title), ...lines.map((l) => (l instanceof Node ? l : K.el('p', {}, l))), row);
    for (const b of buttons) {
      row.append(K.button(b.label, () => { if (b.keep !== true) K.closeDialog(); b.fn && b.fn(); }, { primary: b.primary }));
    }
    if (buttons.length === 1) box.replaceChild(row.firstChild, row);
    ov.replaceChildren(box);
    ov.hidden = false;
    K.speech.say(K.speakable(title + '。' + lines.map((l) => (l instanceof Node ? l.textContent : l)).join('')));
    return box;
  };
  K.closeDialog = function () {
    const ov = K.$('#overlay');
    ov.hidden = true;
    ov.replaceChildren();
  };
  K.notice = (title, text) => K.dialog(title, [text], [{ label: '知道了', primary: true }]);

  // fail shows an API error: the server's sentence, then what to do.
  K.fail = function (err, next) {
    const msg = err && err.message ? err.message : '出了点问题。';
    const what = (err && err.next) || next || '请再试一次;还不行请找工作人员帮忙。';
    K.dialog('出错了', [msg, what], [{ label: '知道了', primary: true }], 'error');
  };

  // busy runs an API call with its button disabled from the tap until the
  // answer (live updates cannot enable it meanwhile), and reports errors.
  K.busy = async function (btn, fn, next) {
    if (btn) {
      btn.dataset.busy = '1';
      K.refreshButton(btn);
    }
    try {
      await fn();
    } catch (err) {
      if (err && err.gone) return; // the resident's session ended meanwhile
      if (err instanceof K.ApiError) K.fail(err, next);
      else { console.error(err); K.fail(null, next); }
    } finally {
      if (btn) {
        delete btn.dataset.busy;
        if (btn.isConnected) K.refreshButton(btn);
      }
    }
  };

  // slowAfter is how long a request may take before the screen says
  // 正在办理,请稍候…, in ms; retryMax bounds the wait between retries.
  const slowAfter = 2000;
  const retryMax = 8000;

  // submit makes a request that changes something (its body carries an
  // idempotency key, so repeating it is safe). A slow server shows
  // 正在办理,请稍候…; a request that got no answer (the server hung, the
  // network dropped) is sent again until the server answers, and the
  // server's real answer is returned: never "网络断开" for a request the
  // server may have carried out. A reset meanwhile ends it quietly.
  K.submit = async function (method, path, body, headers) {
    const session = K.session;
    const gone = () => Object.assign(new Error('session ended'), { gone: true });
    let shown = false;
    const show = () => {
      if (shown || K.session !== session) return;
      shown = true;
      K.dialog('正在办理,请稍候…', ['您的请求已经发出,请不要走开。网络慢的时候要多等一会儿。'], [], 'working');
    };
    const timer = setTimeout(show, slowAfter);
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          return await K.api(method, path, body, headers);
        } catch (err) {
          if (!(err instanceof K.ApiError) || err.code !== 'network') throw err;
        }
        if (K.session !== session) throw gone();
        show();
        await new Promise((ok) => setTimeout(ok, Math.min(retryMax, 1000 * Math.pow(2, attempt))));
        if (K.session !== session) throw gone();
      }
    } finally {
      clearTimeout(timer);
      if (shown && K.session === session && K.$('#working')) K.closeDialog();
    }
  };

  // ---- idle: 还需要更多时间吗? then back to the start ----
  const promptSeconds = 20; // the prompt waits at least 20 s (kiosk-ux.md 17)
  let idleTimer = null, promptTimer = null, autoHomeTimer = null, autoHomeSeconds = 0;

  K.onTouch = function () {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(idleFired, Math.max(1, K.data.settings.idle_seconds || 90) * 1000);
    if (autoHomeSeconds) K.armAutoHome(autoHomeSeconds);
  };

  // entered reports that the resident got past the start screen or typed
  // something on it.
  K.entered = function () {
    const s = K.session;
    return s.stack.length > 0 || (s.cur && s.cur.name !== K.startScreen()) || Object.keys(s.d).length > 0;
  };

  function idleFired() {
    if (K.$('#idle')) return;
    if (!K.entered()) {
      // Only the volume, the text size or 朗读 changed: undo them quietly.
      if (K.session.touched) K.reset();
      return;
    }
    let left = promptSeconds;
    const count = K.el('span', { class: 'num', id: 'idle-count' }, String(left));
    K.dialog('还需要更多时间吗?', [K.el('p', {}, count, ' 秒后回到首页,刚才填的内容会清除。')],
      [{ label: '继续', primary: true, fn: () => { clearInterval(promptTimer); K.onTouch(); } }], 'idle');
    clearInterval(promptTimer);
    promptTimer = setInterval(() => {
      left--;
      if (left <= 0) {
        clearInterval(promptTimer);
        K.reset();
      } else {
        count.textContent = String(left);
      }
    }, 1000);
  }

  // stillHere does what 继续 does: the idle prompt goes, the timer starts
  // over (a resident scanned a code meanwhile).
  K.stillHere = function () {
    clearInterval(promptTimer);
    K.closeDialog();
    K.onTouch();
  };

  // armAutoHome returns to the start seconds after the last touch on a
  // done screen; 0 disarms it.
  K.armAutoHome = function (seconds) {
    clearTimeout(autoHomeTimer);
    autoHomeSeconds = seconds;
    if (seconds) autoHomeTimer = setTimeout(() => K.reset(), seconds * 1000);
  };

  // reset ends the session: everything of the last person goes (screens,
  // choices, digits, storage, history, volume, text size), the kiosk's
  // token stays.
  K.reset = function () {
    clearInterval(promptTimer);
    clearTimeout(idleTimer);
    K.armAutoHome(0);
    K.speech.stop();
    K.closeDialog();
    K.session = freshSession();
    try { sessionStorage.clear(); } catch (e) { /* none */ }
    try {
      const tok = K.token();
      localStorage.clear();
      K.setToken(tok);
    } catch (e) { /* none */ }
    history.replaceState(null, '', location.pathname);
    K.speech.setLevel(K.speech.defaultLevel);
    K.$('#volume').textContent = String(K.speech.level);
    K.$('#receipt').replaceChildren();
    if (K.pending.reload) {
      location.reload();
      return;
    }
    if (K.pending.mode) {
      K.data.mode = K.pending.mode;
      K.pending.mode = null;
    }
    setSize(K.data.settings.text_size || 0, false);
    K.render(); // the start screen
  };

  // ---- online and offline ----
  // bannerGrace is how long a page just opened may take to connect before
  // the offline banner shows, in ms: a normal start never flashes it.
  const bannerGrace = 3000;
  let bannerTimer = null;
  K.setOnline = function (on) {
    K.online = on;
    clearTimeout(bannerTimer);
    const banner = K.$('#offline');
    if (on || !K.token()) banner.hidden = true;
    else if (K.data.loaded) banner.hidden = false;
    else bannerTimer = setTimeout(() => { banner.hidden = K.online || !K.token(); }, bannerGrace);
    document.body.classList.toggle('offline', !on);
    for (const b of document.querySelectorAll('button[data-server]')) K.refreshButton(b);
  };

  // ---- what the server pushes ----
  // now returns the community's current date and time, from the server's
  // clock, in the community's zone (lib/time.js): {ymd, hour, minute}.
  K.now = function () {
    const p = Chorus.time.parts(Date.now() + K.data.clockOffset);
    return { ymd: p.ymd, hour: p.hh, minute: p.mi };
  };

  // learnZone asks the server for the community's time zone once it can
  // be reached; until then the zone is lib/time.js's default.
  let zoneKnown = false;
  function learnZone() {
    if (zoneKnown) return;
    zoneKnown = true;
    K.api('GET', '/api/community').then(Chorus.time.fromCommunity).catch(() => { zoneKnown = false; });
  }

  K.event = (id) => K.data.events.find((e) => e.id === id);
  K.programme = (id) => K.data.programmes.find((p) => p.id === id);

  function applySettings(s) {
    const old = K.data.settings;
    K.data.settings = Object.assign({}, old, s || {});
    if (!K.session.sizeChosen && K.data.settings.text_size !== K.textSize) setSize(K.data.settings.text_size || 0, false);
    K.onTouch();
  }
  K.applySettings = applySettings;

  function applyMode(m) {
    const same = JSON.stringify(m) === JSON.stringify(K.data.mode);
    if (same) return;
    if (K.atRest()) {
      K.data.mode = m;
      K.session.cur = null;
      K.render();
    } else {
      K.pending.mode = m; // after this resident is done
    }
  }

  function onMessage(m) {
    const d = K.data;
    switch (m.type) {
      case 'snapshot':
        d.kiosk = m.kiosk || d.kiosk;
        d.events = m.events || [];
        d.programmes = m.programmes || [];
        d.announcements = m.announcements || [];
        if (m.server_time) {
          d.clockOffset = Date.parse(m.server_time) - Date.now();
        }
        learnZone();
        d.loaded = true;
        K.speech.checkServer();
        K.$('#where').textContent = d.kiosk ? [d.kiosk.place, d.kiosk.name].filter(Boolean).join(' · ') : '';
        applySettings(m.settings);
        if (m.mode) applyMode(m.mode);
        calm();
        expireAnnouncements();
        break;
      case 'seats': {
        const ev = K.event(m.event_id);
        const sl = ev && ev.slots.find((x) => x.id === m.slot_id);
        if (!sl) break;
        sl.seats_left = m.seats_left;
        sl.waiting = m.waiting;
        sl.open = m.open;
        K.refresh('slot:' + sl.id);
        K.refresh('event:' + ev.id);
        K.refresh('today');
        break;
      }
      case 'programme': {
        const p = K.programme(m.programme_id);
        if (!p) break;
        p.taken = Math.max(0, p.capacity - m.places_left);
        p.waiting = m.waiting;
        K.refresh('programme:' + p.id);
        break;
      }
      case 'event': {
        const e = m.event;
        if (!e) break;
        const i = d.events.findIndex((x) => x.id === e.id);
        if (i >= 0) d.events[i] = e; else d.events.push(e);
        const first = (x) => (x.slots[0] ? Date.parse(x.slots[0].start) : 0);
        d.events.sort((a, b) => first(a) - first(b));
        calm();
        break;
      }
      case 'event_removed':
        d.events = d.events.filter((x) => x.id !== m.event_id);
        calm();
        break;
      case 'announce': {
        const a = m.announcement;
        if (!a) break;
        d.announcements = [a].concat(d.announcements.filter((x) => x.id !== a.id));
        expireAnnouncements();
        if (K.atRest()) {
          K.render();
          if (a.speak) K.speech.say(K.speakable('通知:' + a.text));
        }
        break;
      }
      case 'mode':
        applyMode(m.mode || { kind: 'booking' });
        break;
      case 'settings':
        applySettings(m.settings);
        break;
      case 'reload':
        if (K.atRest()) location.reload();
        else K.pending.reload = true;
        break;
      case 'revoked':
        forget(m.message || '这台自助机已停用,请联系工作人员。');
        break;
      case 'error':
        console.warn('kiosk server:', m.message);
        break;
    }
  }

  // expireAnnouncements drops announcements at the moment they expire (by
  // the server's clock) and draws the welcome screen again when it shows
  // them, then waits for the next one to expire.
  let expiryTimer = null;
  function expireAnnouncements() {
    clearTimeout(expiryTimer);
    const d = K.data;
    const now = Date.now() + d.clockOffset;
    const live = d.announcements.filter((a) => !a.expires_at || Date.parse(a.expires_at) > now);
    if (live.length !== d.announcements.length) {
      d.announcements = live;
      if (K.shown && K.shown.id === 'welcome') K.render();
    }
    const next = Math.min(...live.map((a) => (a.expires_at ? Date.parse(a.expires_at) : Infinity)));
    if (isFinite(next)) expiryTimer = setTimeout(expireAnnouncements, Math.min(next - now + 10, 0x7fffffff));
  }

  // calm applies a structural change: the start screen at rest is drawn
  // again; a screen in use only has its numbers refreshed, so that nothing
  // moves under a resident's finger.
  function calm() {
    if (K.atRest()) {
      K.render();
      return;
    }
    for (const key of K.live.keys()) K.refresh(key);
  }

  // forget drops the token (revoked or never paired) and shows pairing.
  function forget(why) {
    K.link.stop();
    K.setToken('');
    K.data.forgotten = why || '';
    K.data.kiosk = null;
    K.data.loaded = false;
    K.pending = { mode: null, reload: false };
    K.setOnline(false);
    K.reset();
  }
  K.forget = forget;

  K.paired = function (token, kiosk) {
    K.setToken(token);
    K.data.forgotten = '';
    K.data.kiosk = kiosk;
    K.link.start();
    K.reset();
  };

  K.initApp = function () {
    K.version = (K.$('meta[name="chorus-version"]') || {}).content || 'dev';
    K.initTaps();
    K.speech.init();
    setupRail();
    K.link.onMessage = onMessage;
    K.link.onState = (on) => K.setOnline(on);
    K.link.onRevoked = forget;
    window.addEventListener('resize', () => { if (K.session.cur) K.render(); });
  };
})(window.K);
