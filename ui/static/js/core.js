'use strict';
// core.js: the kiosk page's shared helpers: building the DOM, formatting
// dates, times and phone numbers, and taps that act on release (speech is
// in speech.js).
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

  // addDays returns the date n days after "YYYY-MM-DD" (lib/time.js).
  K.addDays = Chorus.time.addDays;

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

  // key makes an idempotency key for one request (lib/api.js).
  K.key = () => Chorus.key('kiosk');

  return K;
})();
