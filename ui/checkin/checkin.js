// Staff check-in page: log in, choose today's event or term class (课程),
// check residents in by QR code, scanner, 6-digit code or search, and show
// the answer in huge type, colour and words; live attendance from the
// server's stream (a class's roster is read again after each check-in).
'use strict';

(function () {
  const C = (window.checkin = window.checkin || {});
  const $ = (id) => document.getElementById(id);
  const eventKey = 'chorus.checkin.event';

  // attendanceEvery is how often the figures are read again besides the
  // live stream, in ms: the stream only carries check-ins.
  const attendanceEvery = 60000;
  // reopenAfter is how long to wait before asking for a refused stream
  // again, in ms.
  const reopenAfter = 30000;

  C.tab = 'scan';
  C.event = null;
  C.last = null; // the last check-in this page made: {id, name}, for undo
  C.ready = false;

  // Times, in the community's zone (lib/time.js) whatever zone the phone
  // is set to. hhmm shows a server time string or a time in ms as 09:32.
  function hhmm(v) {
    const p = Chorus.time.parts(v);
    return p ? p.hm : '';
  }
  function day(v) {
    const p = Chorus.time.parts(v);
    return p ? p.ymd : '';
  }
  function monthDay(v) {
    const p = Chorus.time.parts(v);
    return p ? p.mo + '月' + p.d + '日' : '';
  }
  C.hhmm = hhmm;

  // Feedback besides the screen: a short buzz and a beep.
  let audio = null;
  function wakeAudio() {
    if (audio || !window.AudioContext) return;
    try {
      audio = new AudioContext();
    } catch (e) {
      audio = null;
    }
  }
  document.addEventListener('pointerdown', wakeAudio, { once: true });
  document.addEventListener('keydown', wakeAudio, { once: true });
  function beep(good) {
    if (navigator.vibrate) navigator.vibrate(good ? 80 : [200, 100, 200]);
    if (!audio) return;
    try {
      const o = audio.createOscillator();
      const gain = audio.createGain();
      o.frequency.value = good ? 880 : 220;
      gain.gain.value = 0.15;
      o.connect(gain).connect(audio.destination);
      o.start();
      o.stop(audio.currentTime + (good ? 0.12 : 0.35));
    } catch (e) {
      // no sound is fine
    }
  }

  // The answer.
  const answer = $('answer');
  // setAnswer fills the answer; label says the name line is what was
  // scanned or typed (签到码 123456), not a person's name.
  function setAnswer(kind, icon, word, name, detail, label) {
    answer.className = 'answer ' + kind;
    answer.dataset.outcome = kind;
    $('a-icon').textContent = icon;
    $('a-word').textContent = word;
    $('a-name').textContent = name || '';
    $('a-name').className = label ? 'name label' : 'name';
    $('a-detail').textContent = detail || '';
    void answer.offsetWidth; // restart the flash
    if (kind !== 'idle' && kind !== 'busy') answer.classList.add('flash');
  }

  // showAnswer shows a check-in's answer {outcome, message, booking,
  // first_at} in huge type, colour and words.
  C.showAnswer = function (res, label) {
    const b = res.booking || {};
    const name = b.name || '';
    const slot = b.slot_start ? '时段 ' + hhmm(b.slot_start) + '–' + hhmm(b.slot_end) : '';
    const msg = res.message || '';
    switch (res.outcome) {
      case 'ok':
        // A volunteer's code (issue 20) says whether it checked in or out.
        setAnswer('ok', '✓', res.word ? res.word.replace(/^✓\s*/, '') : '签到成功', name, [slot, b.event_title].filter(Boolean).join(' · '));
        C.last = b.id ? { id: b.id, name: name } : null;
        beep(true);
        break;
      case 'already':
        setAnswer('already', '!', '已签到' + (res.first_at ? '(' + hhmm(res.first_at) + ')' : ''), name,
          [res.first_at ? hhmm(res.first_at) + ' 已签过,不用再签' : msg, slot].filter(Boolean).join(' · '));
        beep(false);
        break;
      case 'other_event':
        setAnswer('other_event', '✗', C.event && C.event.cls ? '不是这门课' : '不是这个活动', name, msg);
        beep(false);
        break;
      case 'cancelled':
        setAnswer('cancelled', '✗', '预约已取消', name, msg);
        beep(false);
        break;
      case 'waitlisted':
        setAnswer('waitlisted', '…', '还在候补', name, msg);
        beep(false);
        break;
      case 'unknown':
        setAnswer('unknown', '?', '没有找到预约', label && label !== '二维码' ? label : '', msg, true);
        beep(false);
        break;
      case 'queued':
        setAnswer('queued', '⇡', '待同步', label || '',
          (res.why || '网络不通,已记下') + '(' + hhmm(Date.parse(res.at)) + '),联网后自动签到。', !res.named);
        beep(true);
        break;
      default:
        setAnswer('error', '✗', '没有签到', label && label !== '二维码' ? label : '', msg, true);
        beep(false);
    }
    $('undo').hidden = !(res.outcome === 'ok' && C.last);
    if (C.last) $('undo').textContent = '撤销「' + C.last.name + '」的签到';
  };

  // checkIn sends one check-in, {token} or {code} or {booking_id}; scans
  // are handled one after another so that answers come in order. When the
  // server cannot be reached the scan is kept with its time.
  let chain = Promise.resolve();
  C.checkIn = function (req, label) {
    const p = chain.then(() => send(req, label, false));
    chain = p.catch(() => {});
    return p;
  };

  async function send(req, label, retried) {
    if (!C.event) {
      C.showAnswer({ outcome: 'error', message: '请先选择签到的活动。' });
      return null;
    }
    const at = new Date(C.serverNow()).toISOString();
    const body = Object.assign(C.event.cls ? { class_id: C.event.id } : { event_id: C.event.id }, req);
    setAnswer('busy', '', '正在签到…', '', label);
    try {
      const res = await C.api('POST', '/api/admin/checkins', body);
      C.showAnswer(res, label);
      if (C.event && C.event.cls) refreshAttendance(); // no stream for a class
      return res;
    } catch (e) {
      if (e.network) return keep(body, at, label, '');
      if (e.status === 401) {
        const res = keep(body, at, label, '登录已过期,已记下');
        C.needLogin();
        return res;
      }
      if (e.status === 403 && !retried) {
        try {
          await C.refreshSession(); // the page outlived its CSRF token
          return send(req, label, true);
        } catch (e2) {
          // fall through to the message
        }
      }
      const res = { outcome: 'error', message: e.message };
      C.showAnswer(res, label);
      return res;
    }
  }

  function keep(body, at, label, why) {
    const item = C.queue.add(Object.assign({}, body, { at: at, label: label }));
    const res = { outcome: 'queued', at: item.at, why: why, named: !!body.booking_id };
    C.showAnswer(res, label);
    return res;
  }

  // Undo the last check-in this page made.
  $('undo').addEventListener('click', async () => {
    const last = C.last;
    if (!last) return;
    $('undo').disabled = true;
    try {
      await C.api('POST', '/api/admin/bookings/' + last.id + '/transition', { to: 'confirmed', reason: '签到页撤销' });
      C.last = null;
      $('undo').hidden = true;
      setAnswer('undone', '↶', '已撤销签到', last.name, '需要时可以重新签到。');
      refreshAttendance();
    } catch (e) {
      if (e.status === 401) C.needLogin();
      setAnswer('error', '✗', '没有撤销', last.name,
        e.network ? '网络不通,请联网后再撤销。' : e.message);
    } finally {
      $('undo').disabled = false;
    }
  });

  // The offline queue and what was synced.
  C.onQueue = function (list) {
    $('n-pending').textContent = String(list.length);
    $('pending').hidden = list.length === 0;
    $('queue-box').hidden = list.length === 0;
    const ul = $('queue');
    ul.textContent = '';
    for (const q of list) {
      const li = document.createElement('li');
      li.innerHTML = '<span class="tag queued">待同步</span>';
      li.append(q.label + ' · ' + hhmm(Date.parse(q.at)));
      ul.append(li);
    }
  };
  const syncedWords = { ok: '签到成功', already: '已签到', other_event: '不是这个活动', cancelled: '预约已取消',
    waitlisted: '还在候补', unknown: '没有找到', error: '没有签到' };
  C.onSynced = function (item, res) {
    const b = res.booking || {};
    const li = document.createElement('li');
    const tag = document.createElement('span');
    tag.className = 'tag ' + (res.outcome === 'ok' || res.outcome === 'already' || res.outcome === 'waitlisted' ? res.outcome : 'bad');
    tag.textContent = syncedWords[res.outcome] || '没有签到';
    li.append(tag, (b.name || item.label) + ' · ' +
      (res.first_at ? hhmm(res.first_at) + ' 签到' : (res.message || '')));
    li.dataset.outcome = res.outcome;
    const ul = $('synced');
    ul.prepend(li);
    while (ul.children.length > 10) ul.lastChild.remove();
    $('synced-box').hidden = false;
  };
  $('pending').addEventListener('click', () => C.sync());

  C.onNetwork = function (on) {
    const n = $('net');
    n.textContent = on ? '在线' : '离线';
    n.className = 'net ' + (on ? 'on' : 'off');
  };

  // Tabs.
  function setTab(name) {
    C.tab = name;
    for (const b of document.querySelectorAll('.tabs button')) {
      b.setAttribute('aria-selected', String(b.dataset.tab === name));
    }
    for (const t of ['scan', 'code', 'search']) $('tab-' + t).hidden = t !== name;
    if (name !== 'scan' && C.stopCamera) C.stopCamera();
    if (name === 'scan') $('scanner').focus({ preventScroll: true });
    if (name === 'search') $('search').focus({ preventScroll: true });
    if (name === 'code' && document.activeElement) document.activeElement.blur();
  }
  for (const b of document.querySelectorAll('.tabs button')) {
    b.addEventListener('click', () => setTab(b.dataset.tab));
  }

  // The code keypad: six digits check in at once.
  let code = '';
  function renderCode() {
    $('code-display').textContent = code + '·'.repeat(6 - code.length);
  }
  C.typeDigit = function (k) {
    if (k === 'clear') code = '';
    else if (k === 'back') code = code.slice(0, -1);
    else if (/^\d$/.test(k) && code.length < 6) code += k;
    renderCode();
    if (code.length === 6) {
      const c = code;
      code = '';
      renderCode();
      C.checkIn({ code: c }, '签到码 ' + c);
    }
  };
  for (const b of document.querySelectorAll('.keypad button')) {
    b.addEventListener('click', () => C.typeDigit(b.dataset.key));
  }
  renderCode();

  // Search by the phone's last 4 digits or the name, then tap the person.
  const statusWords = { pending: '待确认', confirmed: '未签到', checked_in: '已签到', cancelled: '已取消',
    no_show: '未到', waitlisted: '候补中', offered: '候补到号', expired: '已过期' };
  // rosterRow shows a class roster's resident as a booking row: present
  // is 已签到 at its time, anything else 未签到.
  const rosterRow = (a) => ({ id: a.enrolment_id, name: a.name, phone: a.phone,
    status: a.mark === 'present' ? 'checked_in' : 'confirmed', checked_in_at: a.mark === 'present' ? a.at : '' });
  let searchTimer = 0;
  let searchSeq = 0;
  async function runSearch() {
    clearTimeout(searchTimer);
    const q = $('search').value.trim();
    const ul = $('results');
    const seq = ++searchSeq;
    if (!q || !C.event) {
      ul.textContent = '';
      $('search-msg').textContent = '';
      return;
    }
    if (/^\d+$/.test(q) && q.length !== 4) {
      ul.textContent = '';
      $('search-msg').textContent = '请输入手机号的后4位。';
      return;
    }
    // A class's search reads today's roster (residents holding a place,
    // not the waitlist); an event's its bookings. Both list the same way.
    const cls = C.event.cls;
    let data;
    try {
      data = await C.api('GET', (cls ? '/api/admin/classes/' : '/api/admin/events/') + C.event.id + '/search?q=' + encodeURIComponent(q));
    } catch (e) {
      if (seq !== searchSeq) return;
      if (e.status === 401) C.needLogin();
      ul.textContent = '';
      $('search-msg').textContent = e.network ? '网络不通,现在查不了。可以先记下签到码。' : e.message;
      return;
    }
    if (seq !== searchSeq) return;
    const list = cls ? (data.roster || []).map(rosterRow) : data.bookings || [];
    ul.textContent = '';
    for (const b of list) {
      const li = document.createElement('li');
      const btn = document.createElement('button');
      btn.type = 'button';
      btn.dataset.id = String(b.id);
      const name = document.createElement('span');
      name.className = 'rname';
      name.textContent = b.name || '(没有姓名)';
      const st = document.createElement('span');
      st.className = 'rstatus ' + b.status;
      st.textContent = (statusWords[b.status] || b.status) + (b.checked_in_at ? ' ' + hhmm(b.checked_in_at) : '');
      const meta = document.createElement('span');
      meta.className = 'rmeta';
      meta.textContent = [b.phone, b.slot_start ? '时段 ' + hhmm(b.slot_start) + '–' + hhmm(b.slot_end) : ''].filter(Boolean).join(' · ');
      btn.append(name, st, meta);
      btn.addEventListener('click', async () => {
        await C.checkIn(cls ? { enrolment_id: b.id } : { booking_id: b.id }, b.name || '');
        runSearch();
      });
      li.append(btn);
      ul.append(li);
    }
    $('search-msg').textContent = list.length ? '找到 ' + list.length + ' 人,点名字签到。' : '没有找到,请核对后再查。';
  }
  $('search').addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(runSearch, 250);
  });
  $('search').addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      runSearch();
    }
  });

  // Attendance: live from the server's stream, read again now and then.
  let stream = null;
  let reopen = 0;
  function renderCounts(a) {
    if (!a || !C.event || a.event_id !== C.event.id || C.event.cls) return;
    $('n-in').textContent = String(a.checked_in);
    $('n-booked').textContent = String(a.booked);
    $('n-notyet').textContent = String(a.not_yet);
  }
  function closeStream() {
    clearTimeout(reopen);
    if (stream) stream.close();
    stream = null;
  }
  function openStream() {
    closeStream();
    if (!C.event) return;
    if (!window.EventSource || C.event.cls) {
      refreshAttendance();
      return;
    }
    const es = new EventSource('/api/admin/events/' + C.event.id + '/attendance/stream');
    stream = es;
    es.addEventListener('attendance', (ev) => {
      try {
        renderCounts(JSON.parse(ev.data));
      } catch (e) {
        // a broken event: the next one mends it
      }
    });
    es.onopen = () => C.setOnline(true);
    es.onerror = () => {
      // EventSource retries by itself; a refused stream (401, 503) it
      // gives up: read the figures and ask again later.
      if (stream === es && es.readyState === EventSource.CLOSED) {
        stream = null;
        refreshAttendance();
        reopen = setTimeout(openStream, reopenAfter);
      }
    };
  }
  async function refreshAttendance() {
    if (!C.event) return;
    try {
      if (C.event.cls) {
        const k = C.event;
        const r = await C.api('GET', '/api/admin/classes/' + k.id + '/attendance?date=' + day(C.serverNow()));
        const roster = r.roster || [];
        const came = roster.filter((x) => x.mark === 'present').length;
        if (C.event !== k) return;
        $('n-in').textContent = String(came);
        $('n-booked').textContent = String(roster.length);
        $('n-notyet').textContent = String(roster.length - came);
        return;
      }
      renderCounts(await C.api('GET', '/api/admin/events/' + C.event.id + '/attendance'));
    } catch (e) {
      if (e.status === 401) C.needLogin();
    }
  }
  setInterval(() => {
    if (C.csrf) refreshAttendance();
  }, attendanceEvery);

  // Events: today's first.
  let events = [];
  function eventLabel(e, today) {
    if (e.cls) return '今天 ' + e.start_time + ' ' + e.title + '(课程)' + (e.place ? ' · ' + e.place : '');
    const first = (e.slots || [])[0];
    const start = first ? first.start : '';
    const when = day(start) === today ? '今天 ' + hhmm(start) : monthDay(start) + ' ' + hhmm(start);
    return when + ' ' + e.title + (e.place ? ' · ' + e.place : '');
  }
  async function loadEvents() {
    // Every event not over yet, open or closed to bookings, and those over
    // earlier today: latecomers still come.
    const [upcoming, ofToday, classes] = await Promise.all([
      C.api('GET', '/api/admin/events?when=upcoming'),
      C.api('GET', '/api/admin/events?when=today'),
      C.api('GET', '/api/admin/classes?when=today'), // a session today
    ]);
    const coming = new Set((upcoming.events || []).map((e) => e.id));
    events = (ofToday.events || []).filter((e) => !coming.has(e.id)).concat(upcoming.events || []);
    const savedKey = localStorage.getItem(eventKey) || '';
    const saved = Number(savedKey);
    if (saved && !events.some((e) => e.id === saved)) {
      // The event chosen last, no longer in either list (cancelled, or
      // over before today): shown while it is still chosen.
      try {
        events.unshift(await C.api('GET', '/api/events/' + saved));
      } catch (e) {
        // gone
      }
    }
    const today = day(C.serverNow());
    const isToday = (e) => e.cls || (e.slots || []).some((s) => day(s.start) === today);
    // A term class with a session today is checked in at that session.
    const classList = (classes.classes || []).map((k) => Object.assign({}, k, { cls: true }));
    events = events.filter(isToday).concat(classList, events.filter((e) => !isToday(e)));
    const todays = events.filter(isToday);
    const sel = $('event');
    sel.textContent = '';
    for (const e of events) {
      const o = document.createElement('option');
      o.value = keyOf(e);
      o.textContent = eventLabel(e, today);
      sel.append(o);
    }
    const pick = todays.find((e) => keyOf(e) === savedKey || (!e.cls && e.id === saved)) || todays[0] || events[0] || null;
    const warn = $('no-event');
    warn.hidden = todays.length > 0;
    warn.textContent = events.length === 0 ? '现在没有可以签到的活动。'
      : '今天没有活动。给别的日子的活动签到时,系统会说“不是今天的预约”。';
    selectEvent(pick);
  }
  // keyOf is an event's id, or c:<id> for a class.
  function keyOf(e) {
    return (e.cls ? 'c:' : '') + e.id;
  }
  function selectEvent(e) {
    C.event = e;
    if (e) {
      $('event').value = keyOf(e);
      localStorage.setItem(eventKey, keyOf(e));
    }
    for (const id of ['n-in', 'n-booked', 'n-notyet']) $(id).textContent = '–';
    C.last = null;
    $('undo').hidden = true;
    setAnswer('idle', '', '请扫码或输入签到码', '', '');
    openStream();
    if ($('search').value) runSearch();
  }
  $('event').addEventListener('change', () => {
    selectEvent(events.find((e) => keyOf(e) === $('event').value) || null);
  });

  // A QR code opened by the phone's own camera app comes here as
  // /staff/checkin#t=<token> (the server's /c/<token> redirect).
  function takeHashToken() {
    const m = /[#&]t=([^&]+)/.exec(location.hash);
    if (!m) return;
    history.replaceState(null, '', location.pathname + location.search);
    C.checkIn({ token: decodeURIComponent(m[1]) }, '二维码');
  }
  window.addEventListener('hashchange', () => {
    if (C.ready) takeHashToken();
  });

  // Login.
  C.needLogin = function () {
    closeStream();
    if (C.stopCamera) C.stopCamera();
    C.csrf = '';
    C.ready = false;
    $('boot').hidden = true;
    $('main').hidden = true;
    $('login').hidden = false;
    $('username').focus();
  };
  $('login-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const err = $('login-error');
    err.textContent = '';
    $('login-btn').disabled = true;
    try {
      const me = await C.api('POST', '/api/login', { username: $('username').value.trim(), password: $('password').value });
      C.csrf = me.csrf_token;
      $('password').value = '';
      await start(me);
    } catch (e2) {
      err.textContent = e2.network ? '网络不通,请稍后再试。' : e2.message;
    } finally {
      $('login-btn').disabled = false;
    }
  });
  $('logout').addEventListener('click', async () => {
    try {
      await C.api('POST', '/api/logout', {});
    } catch (e) {
      // the session ends on the server's side anyway
    }
    C.needLogin();
  });

  async function start(me) {
    $('who').textContent = (me.staff && (me.staff.name || me.staff.username)) || '';
    $('boot').hidden = true;
    $('login').hidden = true;
    $('main').hidden = false;
    C.onQueue(C.queue.load());
    // The community's time zone: every time shows in it.
    await C.api('GET', '/api/community').then(Chorus.time.fromCommunity, () => {});
    await loadEvents();
    setTab(C.tab);
    C.ready = true;
    C.sync();
    takeHashToken();
  }

  async function boot() {
    let me;
    try {
      me = await C.refreshSession();
    } catch (e) {
      if (e.status === 401) {
        C.needLogin();
        return;
      }
      $('boot').textContent = '连不上服务器,正在重试…';
      setTimeout(boot, 3000);
      return;
    }
    try {
      await start(me);
    } catch (e) {
      $('boot').hidden = false;
      $('boot').textContent = '连不上服务器,正在重试…';
      $('main').hidden = true;
      setTimeout(boot, 3000);
    }
  }
  boot();
})();
