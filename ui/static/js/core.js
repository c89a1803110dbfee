'use strict';
// core.js: the kiosk page's shared helpers: building the DOM, formatting
// dates, times and phone numbers, taps that act on release, and speech.
// Every script adds to the one global K.
window.K = (function () {
  const K = {};

  K.$ = (sel, root) => (root || document).querySelector(sel);

  // handlers holds each button's tap handler.
  const handlers = new WeakMap();

  // el builds an element: el('p', {class: 'lead'}, 'text', child, …).
  // Attributes starting with "data-" and a few others are set as given.
  K.el = function (tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k === 'text') e.textContent = v;
      else if (k === 'onTap') handlers.set(e, v);
      else e.setAttribute(k, v === true ? '' : v);
    }
    const big = /(^|\s)(num|display|code|t)(\s|$)/.test(e.className) || /^H[1-3]$/.test(e.tagName);
    for (const k of kids.flat()) {
      if (k === undefined || k === null || k === false) continue;
      if (k instanceof Node) e.append(k);
      else if (big) e.append(String(k));
      else e.append(...K.numbers(String(k)));
    }
    return e;
  };

  // numberRE finds what must be read at a glance (kiosk-ux.md 2: times,
  // dates, counts and phone digits >= 40 px): a time or a span of times,
  // a date, a masked phone.
  K.numberRE = /(\d{1,2}:\d{2}(?:–\d{1,2}:\d{2})?|\d{1,2}月\d{1,2}日|1\d{2}\*{4}\d{4})/;

  // numbers splits text into strings and .num spans for its times, dates
  // and phones, so that every screen shows them large whoever wrote the
  // text (a staff member's announcement too).
  K.numbers = function (text) {
    return text.split(K.numberRE).filter((x) => x !== '').map((x, i, all) =>
      (K.numberRE.test(x) ? (() => { const sp = document.createElement('span'); sp.className = 'num'; sp.textContent = x; return sp; })() : x));
  };

  // button makes a button acting onTap on release. opts: primary, server
  // (needs the server: disabled while offline), blocked (disabled for now),
  // cls, id.
  K.button = function (label, onTap, opts) {
    const o = opts || {};
    const cls = [o.primary ? 'primary' : '', o.cls || ''].join(' ').trim();
    const b = K.el('button', { type: 'button', class: cls || null, id: o.id, onTap }, label);
    if (o.server) b.dataset.server = '1';
    if (o.blocked) b.dataset.blocked = '1';
    K.refreshButton(b);
    return b;
  };

  // setTap replaces the tap handler of an existing button.
  K.setTap = (b, fn) => handlers.set(b, fn);

  // refreshButton enables or disables b from its flags and the connection.
  // A button whose request is on its way (busy) stays disabled whatever
  // a live update says about it.
  K.refreshButton = function (b) {
    const off = b.dataset.blocked === '1' || b.dataset.busy === '1' || (b.dataset.server === '1' && !K.online);
    b.disabled = off;
    if (off) b.classList.remove('pressed');
  };

  K.block = function (b, blocked) {
    if (blocked) b.dataset.blocked = '1'; else delete b.dataset.blocked;
    K.refreshButton(b);
  };

  K.online = false;

  // ---- taps: pressed at once, act on release inside the target ----
  let pressed = null;
  K.onTouch = function () {}; // replaced by the idle timer
  function down(e) {
    K.onTouch();
    const b = e.target.closest && e.target.closest('button');
    if (!b || b.disabled) return;
    if (pressed) pressed.classList.remove('pressed');
    pressed = b;
    b.classList.add('pressed');
  }
  function up(e) {
    const b = pressed;
    pressed = null;
    if (!b) return;
    b.classList.remove('pressed');
    const at = document.elementFromPoint(e.clientX, e.clientY);
    if (at && b.contains(at) && !b.disabled) activate(b);
  }
  function cancel() {
    if (pressed) pressed.classList.remove('pressed');
    pressed = null;
  }
  function activate(b) {
    const fn = handlers.get(b);
    if (!fn) return;
    try {
      fn(b);
    } catch (err) {
      console.error(err);
    }
  }
  K.initTaps = function () {
    document.addEventListener('pointerdown', down, true);
    document.addEventListener('pointerup', up, true);
    document.addEventListener('pointercancel', cancel, true);
    // A keyboard (staff with a USB keyboard) still works: a click with
    // detail 0 comes from Enter or Space, never from a finger.
    document.addEventListener('click', (e) => {
      e.preventDefault();
      const b = e.target.closest && e.target.closest('button');
      if (e.detail === 0 && b && !b.disabled) { K.onTouch(); activate(b); }
    }, true);
    // No long-press menus, no double-tap, no dragging anything.
    for (const t of ['contextmenu', 'dblclick', 'dragstart', 'selectstart', 'gesturestart']) {
      document.addEventListener(t, (e) => e.preventDefault(), true);
    }
    document.addEventListener('touchmove', (e) => e.preventDefault(), { passive: false });
    document.addEventListener('wheel', (e) => { if (e.ctrlKey) e.preventDefault(); }, { passive: false });
  };

  // ---- dates, times, numbers ----
  const weekdays = ['星期日', '星期一', '星期二', '星期三', '星期四', '星期五', '星期六'];

  // day parses "2026-12-05" or an RFC 3339 time written in the community's
  // zone (as the server sends them) without the browser's own time zone.
  K.day = function (s) {
    const y = +s.slice(0, 4), m = +s.slice(5, 7), d = +s.slice(8, 10);
    const wd = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
    return { ymd: s.slice(0, 10), md: m + '月' + d + '日', wd: weekdays[wd] };
  };
  K.hm = (s) => s.slice(11, 16);
  K.span = (start, end) => K.hm(start) + '–' + K.hm(end);
  K.dayLabel = (s) => { const d = K.day(s); return d.md + ' ' + d.wd; };

  // addDays returns the date n days after "YYYY-MM-DD".
  K.addDays = function (ymd, n) {
    const t = new Date(Date.UTC(+ymd.slice(0, 4), +ymd.slice(5, 7) - 1, +ymd.slice(8, 10) + n));
    return t.toISOString().slice(0, 10);
  };

  K.mask = (p) => (p && p.length >= 7 ? p.slice(0, 3) + '****' + p.slice(-4) : '****');
  K.groupPhone = (d) => [d.slice(0, 3), d.slice(3, 7), d.slice(7)].filter(Boolean).join(' ');
  K.validPhone = (d) => /^1[3-9]\d{9}$/.test(d);

  // Digits as read aloud: 1 is 幺 in phone numbers, as people say it.
  const spoken = ['零', '幺', '二', '三', '四', '五', '六', '七', '八', '九'];
  K.digitWord = (c) => spoken[+c];
  // sayDigits reads digits one by one, grouped like a phone number.
  K.sayDigits = function (d, groups) {
    const parts = groups || [3, 4, 4];
    const out = [];
    let i = 0;
    for (const n of parts) {
      if (i >= d.length) break;
      out.push(d.slice(i, i + n).split('').map(K.digitWord).join(' '));
      i += n;
    }
    if (i < d.length) out.push(d.slice(i).split('').map(K.digitWord).join(' '));
    return out.join(',');
  };

  // ---- words for the ear (kiosk-ux.md 14, 16) ----
  const cnDigits = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

  // cnNumber writes 0–9999 as it is said: 12 十二, 45 四十五, 105 一百零五.
  K.cnNumber = function (n) {
    if (n < 10) return cnDigits[n];
    if (n < 100) return (n >= 20 ? cnDigits[Math.floor(n / 10)] : '') + '十' + (n % 10 ? cnDigits[n % 10] : '');
    let out = '', zero = false, r = n;
    for (const [w, v] of [['千', 1000], ['百', 100], ['十', 10]]) {
      const dgt = Math.floor(r / v);
      r %= v;
      if (dgt) {
        out += (zero ? '零' : '') + cnDigits[dgt] + w;
        zero = false;
      } else if (out) zero = true;
    }
    return out + (r ? (zero ? '零' : '') + cnDigits[r] : '');
  };

  // sayTime says a clock time as people do: 九点, 九点一刻, 九点半, 下午两点
  // 零五分. part is false to leave out 上午/下午 (the second of a span).
  K.sayTime = function (h, m, part) {
    const when = part === false ? '' : h < 6 ? '凌晨' : h < 12 ? '' : h === 12 ? '中午' : h < 18 ? '下午' : '晚上';
    const h12 = h > 12 ? h - 12 : h;
    const mins = m === 0 ? '' : m === 15 ? '一刻' : m === 30 ? '半' : (m < 10 ? '零' : '') + K.cnNumber(m) + '分';
    return when + (h12 === 2 ? '两' : K.cnNumber(h12)) + '点' + mins;
  };

  // spokenDigits reads a code or a number digit by digit, 1 as 幺.
  const spokenDigits = (d) => d.split('').map((c) => K.digitWord(c)).join(' ');

  // speakable turns screen text into what a listener understands: times
  // as 九点一刻, dates as 十二月五日, phones and codes digit by digit (1 as
  // 幺), a masked phone as 尾号…, counts as numbers; symbols dropped.
  K.speakable = (t) => String(t)
    .replace(/1\d{2}\*{4}(\d{4})/g, (_, d) => '尾号' + spokenDigits(d) + '的手机')
    .replace(/尾号(\d+)/g, (_, d) => '尾号' + spokenDigits(d))
    .replace(/(\d{1,2}):(\d{2})\s*[–-]\s*(\d{1,2}):(\d{2})/g, (_, h1, m1, h2, m2) =>
      K.sayTime(+h1, +m1) + '到' + K.sayTime(+h2, +m2, (+h1 < 12) === (+h2 < 12) && +h2 !== 12 ? false : undefined))
    .replace(/(\d{1,2}):(\d{2})/g, (_, h, m) => K.sayTime(+h, +m))
    .replace(/(\d{1,2})月(\d{1,2})日/g, (_, m, d) => K.cnNumber(+m) + '月' + K.cnNumber(+d) + '日')
    .replace(/\d{5,}/g, (d) => (/^1[3-9]\d{9}$/.test(d) ? K.sayDigits(d) : spokenDigits(d)))
    .replace(/(第?)(\d{1,4})(?=(\s?[个位岁天层]?))/g, (_, nth, d, after) =>
      nth + (d === '2' && !nth && after.trim() ? '两' : K.cnNumber(+d)))
    .replace(/[✓·–]/g, ',')
    .replace(/\s*\n+\s*/g, ',')
    .replace(/\s{2,}/g, ' ')
    .replace(/^[,\s]+|[,\s]+$/g, '')
    .replace(/([,。:])[,\s]+/g, '$1');

  // key makes an idempotency key; crypto.randomUUID needs https, which a
  // kiosk on the LAN may not have.
  K.key = function () {
    const b = new Uint8Array(16);
    crypto.getRandomValues(b);
    return 'kiosk-' + Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  };

  // ---- speech ----
  // Chromium on Linux has voices only with --enable-speech-dispatcher and
  // speech-dispatcher-espeak-ng; its Mandarin voice is "cmn-latn-pinyin".
  // Without a Chinese voice the 朗读 button says so and nothing breaks.
  // Where the kiosk server speaks (espeak-ng, server.Speech), the page
  // plays its audio at the page's own volume: Chromium gives a voice's
  // volume to nobody, so only then do 小声/大声 change what is heard.
  const S = { voice: null, server: false, level: 4, onChange: () => {} };
  K.speech = S;
  S.levels = 5;
  S.defaultLevel = 4;
  S.available = () => S.server || !!S.voice;
  S.said = []; // the last things said, {text, volume}, newest last

  // checkServer asks the server once whether it speaks for the kiosk.
  S.checkServer = async function () {
    if (S.checked) return;
    S.checked = true;
    try {
      const r = await K.api('GET', '/api/kiosk/speech');
      S.server = !!(r && r.available);
    } catch (e) {
      S.checked = false; // ask again on the next snapshot
    }
    S.onChange();
  };

  let gen = 0;                 // bumped by every cut-off: late audio is dropped
  let chain = Promise.resolve();
  S.audio = null;              // the audio playing
  function stopAudio() {
    if (S.audio) {
      S.audio.pause();
      S.audio = null;
    }
  }
  function sayOnServer(text, queue) {
    if (!queue) {
      gen++;
      stopAudio();
      chain = Promise.resolve();
    }
    const my = gen;
    const got = fetch('/api/kiosk/speech', {
      method: 'POST', cache: 'no-store', body: JSON.stringify({ text }),
      headers: Object.assign({ 'Content-Type': 'application/json' }, K.kioskAuth()),
    }).then((r) => (r.ok ? r.blob() : null)).catch(() => null);
    chain = chain.then(() => got).then((blob) => (blob && my === gen ? play(blob, my) : null));
    return true;
  }
  function play(blob, my) {
    return new Promise((done) => {
      const url = URL.createObjectURL(blob);
      const a = new Audio(url);
      a.volume = S.level / S.levels;
      S.audio = a;
      const end = () => { URL.revokeObjectURL(url); if (S.audio === a) S.audio = null; done(); };
      a.onended = end;
      a.onerror = end;
      a.play().then(() => { S.playing = my; }, (e) => { S.blocked = e.name; end(); });
    });
  }
  // setLevel changes the volume, of the audio playing too.
  S.setLevel = function (level) {
    S.level = Math.max(1, Math.min(S.levels, level));
    if (S.audio) S.audio.volume = S.level / S.levels;
  };
  S.pick = function () {
    const synth = window.speechSynthesis;
    if (!synth || typeof synth.getVoices !== 'function') return;
    const voices = synth.getVoices() || [];
    // Mandarin only: never a Cantonese (yue, zh-HK), Hakka or Min voice,
    // whose reading a Mandarin speaker would not follow.
    const other = /yue|cantonese|hak|nan|min|-hk|-mo|_hk/i;
    const zh = (v) => (/^(zh|cmn)([-_]|$)/i.test(v.lang || '') || /mandarin|cmn/i.test(v.name || '')) &&
      !other.test(v.lang || '') && !other.test(v.name || '');
    const v = voices.find((x) => zh(x) && /CN|Hans|pinyin/i.test(x.lang || '')) || voices.find(zh) || null;
    if (v !== S.voice) {
      S.voice = v;
      S.onChange();
    }
  };
  S.init = function () {
    const synth = window.speechSynthesis;
    if (!synth) return;
    S.pick();
    if (synth.addEventListener) synth.addEventListener('voiceschanged', S.pick);
    // Some builds fill the list late without the event.
    let tries = 0;
    const again = () => { S.pick(); if (!S.voice && ++tries < 8) setTimeout(again, 250); };
    setTimeout(again, 250);
  };
  // say speaks text, cutting off whatever was being said unless queue.
  S.say = function (text, queue) {
    if (!text) return false;
    if (S.server || S.voice) {
      S.said.push({ text, volume: S.level / S.levels });
      if (S.said.length > 20) S.said.shift();
    }
    if (S.server) return sayOnServer(text, queue);
    const synth = window.speechSynthesis;
    if (!S.voice || !synth) return false;
    if (!queue) synth.cancel();
    const u = new SpeechSynthesisUtterance(text);
    u.lang = S.voice.lang;
    try {
      u.voice = S.voice;
    } catch (e) { /* not a SpeechSynthesisVoice: the lang picks the voice */ }
    u.volume = S.level / S.levels;
    u.rate = 0.85; // a little slower than normal, for older listeners
    synth.speak(u);
    return true;
  };
  S.stop = function () {
    gen++;
    stopAudio();
    if (window.speechSynthesis) window.speechSynthesis.cancel();
  };

  return K;
})();
