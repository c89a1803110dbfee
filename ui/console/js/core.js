'use strict';
// core.js: the console's foundation: building elements, calling the JSON
// API with the session's CSRF token (lib/api.js), times in the community's
// zone (lib/time.js), and the Chinese labels of the API's codes.
(function () {
  const C = (window.C = {
    me: null, // the staff member logged in
    csrf: '', // the session's CSRF token, sent on every change
    routes: {},
  });

  // ---- elements ----

  // Properties set as such rather than as attributes.
  const PROPS = new Set(['value', 'checked', 'selected', 'disabled', 'hidden', 'required', 'multiple', 'readOnly', 'open']);

  // h builds an element: h('button', {class: 'x', onclick: fn}, 'text', child…).
  C.h = function (tag, attrs, ...kids) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k === 'text') el.textContent = v;
      else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (PROPS.has(k)) el[k] = v;
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    C.append(el, kids);
    return el;
  };

  // append adds children: nodes, strings, arrays of them; null is skipped.
  C.append = function (el, kids) {
    for (const k of kids) {
      if (k === null || k === undefined || k === false) continue;
      if (Array.isArray(k)) C.append(el, k);
      else el.append(k instanceof Node ? k : String(k));
    }
    return el;
  };

  C.$ = (sel, root) => (root || document).querySelector(sel);
  C.$$ = (sel, root) => [...(root || document).querySelectorAll(sel)];

  let uid = 0;
  // uid returns a fresh id for an element.
  C.uid = (prefix) => `${prefix || 'c'}-${++uid}`;

  // ---- the API ----

  // ApiError is Chorus's one error type (lib/api.js): status, code and
  // the server's Chinese message, shown to staff as it is.
  const ApiError = (C.ApiError = Chorus.ApiError);

  // invalid makes an error for a check done in the page before sending.
  C.invalid = (message) => new ApiError(400, 'invalid', message);

  // api calls the JSON API. A change carries X-CSRF-Token; a 403 on a
  // change fetches the token again once (another tab logged in anew); a
  // 401 sends the page to the login form.
  C.api = Chorus.client({
    csrf: () => C.csrf,
    retry: (e, call) => {
      if (e.status === 401 && call.path !== '/api/login' && call.path !== '/api/me' && C.me) C.sessionLost();
      if (e.status !== 403 || call.method === 'GET' || call.retried || !C.me) return null;
      const old = C.csrf;
      return C.api('GET', '/api/me').then((me) => {
        C.csrf = me.csrf_token;
        if (C.csrf === old) throw e;
        return call.again();
      }, () => { throw e; });
    },
  });

  // currentEvents returns the events staff work with now, whatever their
  // booking state: those over earlier today (latecomers still check in,
  // figures are still read), then every one not over yet, soonest first;
  // cancelled ones are left out.
  C.currentEvents = async function () {
    const [upcoming, today] = await Promise.all([C.api('GET', '/api/admin/events?when=upcoming'), C.api('GET', '/api/admin/events?when=today')]);
    const coming = new Set(upcoming.events.map((e) => e.id));
    return today.events.filter((e) => !coming.has(e.id)).concat(upcoming.events);
  };

  // ---- times, in the community's zone ----

  const WEEKDAYS = ['周日', '周一', '周二', '周三', '周四', '周五', '周六'];
  const pad = (n) => String(n).padStart(2, '0');

  // parts returns the wall-clock parts of a time (an ISO string, a Date or
  // milliseconds) in the community's zone.
  C.parts = Chorus.time.parts;

  C.now = () => C.parts(Date.now());
  C.today = () => C.now().ymd;

  // ymdAdd adds days to a YYYY-MM-DD date.
  C.ymdAdd = Chorus.time.addDays;

  // iso makes an RFC 3339 time from a date and an HH:MM in the community's zone.
  C.iso = Chorus.time.iso;

  // dayLabel: 12月5日 周六 (今天 / 明天 when it is).
  C.dayLabel = function (t) {
    const p = typeof t === 'string' && /^\d{4}-\d\d-\d\d$/.test(t) ? C.parts(C.iso(t, '12:00')) : C.parts(t);
    if (!p) return '';
    const today = C.today();
    const rel = p.ymd === today ? '(今天)' : p.ymd === C.ymdAdd(today, 1) ? '(明天)' : '';
    return `${p.mo}月${p.d}日 ${WEEKDAYS[p.wd]}${rel}`;
  };

  // when: 12月5日 周六 09:00.
  C.when = (t) => {
    const p = C.parts(t);
    return p ? `${C.dayLabel(t)} ${p.hm}` : '';
  };

  // span: 12月5日 周六 09:00–09:15 (the end's day when it differs).
  C.span = function (start, end) {
    const a = C.parts(start), b = C.parts(end);
    if (!a || !b) return '';
    return `${C.dayLabel(start)} ${a.hm}–${a.ymd === b.ymd ? b.hm : C.when(end)}`;
  };

  // stamp: a short time for tables, 12-05 09:03 (today: 09:03).
  C.stamp = function (t) {
    const p = C.parts(t);
    if (!p || p.y < 2000) return '';
    return p.ymd === C.today() ? p.hm : `${pad(p.mo)}-${pad(p.d)} ${p.hm}`;
  };

  // clock: 09:32:10, for "updated at".
  C.clock = () => {
    const p = C.now();
    return `${p.hm}:${pad(p.ss)}`;
  };

  // ---- labels of the API's codes ----

  C.L = {
    booking: {
      pending: '待确认', confirmed: '已确认', checked_in: '已签到', cancelled: '已取消', no_show: '未到',
      waitlisted: '候补中', offered: '候补到号待确认', expired: '候补已过期',
    },
    service: { clinic: '义诊', lecture: '讲座', venue: '场地', childcare: '托管', haircut: '上门理发', repair: '上门维修', medicine: '送药上门' },
    partner: { hospital: '医院', barbershop: '理发店', pharmacy: '药店', builder: '维修单位', kindergarten: '幼儿园', social_org: '社会组织' },
    event: { open: '开放预约', closed: '停止预约', cancelled: '已取消' },
    order: { requested: '待派单', dispatched: '已派单,等待接单', accepted: '已接单', done: '已完成', cancelled: '已取消' },
    half: { am: '上午', pm: '下午' },
    message: { queued: '排队中', sending: '发送中', submitted: '已提交', delivered: '已送达', failed: '发送失败', refused: '未发送', unknown: '状态不明' },
    kind: {
      booking_confirm: '预约确认', reminder: '活动提醒', cancelled: '取消通知', waitlist_offer: '候补到号', enrolled: '托管报名',
      haircut_accepted: '理发已接单', partner_order: '派单', order_taken: '订单已被接', checkin_code: '签到码',
      optout_ack: '退订确认', help: '帮助回复', waitlisted: '候补通知', order_unclaimed: '无人接单提醒',
      booking_booked: '预约成功', reply_ack: '回复已办理', reply_which: '询问是哪个预约', dispatch_untold: '派单未能通知',
      partner_ack: '接单回复已办理',
    },
    intent: { confirm: '确认', cancel: '取消', opt_out: '退订', accept: '接单', done: '完成', give_back: '退单', unknown: '未能识别' },
    mode: { booking: '预约', checkin: '签到', closed: '暂停服务' },
    role: { admin: '管理员', staff: '工作人员' },
  };

  // label returns the Chinese label of a code, or the code itself.
  C.label = (group, code) => (C.L[group] && C.L[group][code]) || code || '';

  // live reports whether a booking status still counts.
  C.live = (st) => ['pending', 'confirmed', 'checked_in', 'waitlisted', 'offered'].includes(st);

  // phoneOK checks a mainland mobile number the way people type it; the
  // server normalises and checks again.
  C.phoneDigits = function (s) {
    let d = String(s || '').replace(/[\s\-－—.()（）]/g, '').replace(/[０-９]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
    d = d.replace(/^(\+|＋)86/, '');
    if (d.length === 13 && d.startsWith('86')) d = d.slice(2);
    if (d.length === 15 && d.startsWith('0086')) d = d.slice(4);
    return d;
  };
  C.phoneOK = (s) => /^1[3-9]\d{9}$/.test(C.phoneDigits(s));

  // key makes an idempotency key for one action of this page.
  C.key = (what) => Chorus.key('console-' + what);
})();
