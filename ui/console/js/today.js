'use strict';
// today.js: 今日, the desk's overview: today's events with bookings and
// check-ins, kiosks online, SMS that failed, orders waiting for a partner.
// It redraws when the server says something changed (the live feed, a
// websocket), and polls when the feed is down.
(function (C) {
  const h = C.h;

  // How often the overview reloads by itself, in milliseconds.
  const pollLive = 60000; // with the feed: kiosks that go silent without leaving are not pushed
  const pollDown = 30000; // without it: fresh enough for a desk, light for 21 staff on one small server

  // The feed's topics this page shows.
  const WATCH = ['events', 'sms', 'orders', 'kiosks'];

  // optional fetches what a server may have left out (no kiosk hub, no
  // SMS): a 404 is null, not an error.
  async function optional(path) {
    try {
      return await C.api('GET', path);
    } catch (e) {
      if (e.status === 404) return null;
      throw e;
    }
  }

  // load fetches everything the overview shows.
  async function load() {
    // Today's events whatever their state: open or closed to bookings,
    // still to come or over this morning (not the cancelled ones).
    const [{ events }, kiosks, inbox, messages, dispatched, requested, status, calls] = await Promise.all([
      C.api('GET', '/api/admin/events?when=today'),
      optional('/api/admin/kiosks'),
      optional('/api/admin/inbox'),
      C.api('GET', '/api/admin/messages'),
      C.api('GET', '/api/admin/orders?status=dispatched'),
      C.api('GET', '/api/admin/orders?status=requested'), // not sent yet, or nobody takes it: escalated
      optional('/api/admin/status'), // backups: a failure is shown here
      optional('/api/admin/calls'), // voice calls against the budget, residents to phone
    ]);
    const today = C.today();
    // In the order of their first slot today (one that began yesterday too).
    const todays = events.slice().sort((a, b) => firstToday(a, today) - firstToday(b, today));
    const counts = await Promise.all(todays.map((e) => C.api('GET', `/api/admin/events/${e.id}/attendance`)));
    return {
      today, todays, counts,
      kiosks: kiosks ? kiosks.kiosks.filter((k) => !k.revoked) : null,
      failed: messages.messages.filter(C.needsStaff), // failed, or never known whether sent
      replies: inbox ? inbox.inbox.length : null, // waiting for staff
      orders: requested.orders.concat(dispatched.orders),
      backupProblem: status && status.backup ? status.backup.problem || '' : '',
      calls,
    };
  }

  // firstToday is when an event's first slot of the day starts (ms).
  const firstToday = (e, today) => Date.parse(e.slots.find((s) => C.parts(s.start).ymd === today).start);

  function tile(label, value, sub, href, warn) {
    return h('li', { class: 'tile' + (warn ? ' warn' : '') },
      h('a', { href }, h('span', { class: 'tile-label' }, label), h('span', { class: 'tile-value' }, value), sub ? h('span', { class: 'tile-sub' }, sub) : null));
  }

  function eventsTable(d) {
    const rows = d.todays.map((e, i) => ({ e, a: d.counts[i] }));
    return C.table([
      { label: '时间', cell: (r) => {
        const slots = r.e.slots.filter((s) => C.parts(s.start).ymd === d.today);
        return `${C.parts(slots[0].start).hm}–${C.parts(slots[slots.length - 1].end).hm}`;
      } },
      { label: '活动', cell: (r) => r.e.title },
      { label: '地点', cell: (r) => r.e.place },
      { label: '已预约', class: 'num', cell: (r) => String(r.a.booked) },
      { label: '已签到', class: 'num', cell: (r) => String(r.a.checked_in) },
      { label: '还没到', class: 'num', cell: (r) => String(r.a.not_yet) },
      { label: '操作', cell: (r) => h('span', { class: 'row-actions' },
        C.link('预约名单', `#/bookings/${r.e.id}`, { 'aria-label': `${r.e.title}的预约名单` }),
        C.link('现场签到', `#/checkin/${r.e.id}`, { 'aria-label': `${r.e.title}的现场签到` }),
        h('a', { href: `/staff/events/${r.e.id}/signin`, target: '_blank', rel: 'noopener', 'aria-label': `打印${r.e.title}的签到表(新窗口)` }, '签到表')) },
    ], rows, { caption: '今天的活动', empty: '今天没有活动。' });
  }

  function kiosksPart(d) {
    if (!d.kiosks) return h('p', { class: 'empty' }, '这台服务器没有启用自助机。');
    const off = d.kiosks.filter((k) => !k.online);
    if (!d.kiosks.length) return h('p', { class: 'empty' }, '还没有自助机。');
    if (!off.length) return h('p', {}, `${d.kiosks.length} 台自助机全部在线。`);
    return [h('p', {}, `${off.length} 台离线:`), C.table([
      { label: '自助机', cell: (k) => `${k.place} · ${k.name}` },
      { label: '最后联系', cell: (k) => (k.last_seen ? C.when(k.last_seen) : '启动后没有联系过') },
    ], off, { caption: '离线的自助机' })];
  }

  function failedPart(d, redraw) {
    return C.table([
      { label: '时间', cell: (m) => C.stamp(m.updated_at) },
      { label: '手机号', cell: (m) => C.link(m.phone, `#/residents/${m.phone}`, { 'aria-label': `居民 ${m.phone}` }) },
      { label: '短信', cell: (m) => C.label('kind', m.kind) },
      { label: '状态', cell: (m) => C.badge(C.label('message', m.status), 'msg-' + m.status) },
      { label: '原因', cell: C.messageError },
      { label: '操作', cell: (m) => C.button('重发', () => C.resendMessage(m, redraw), { class: 'small', 'aria-label': `重发:${m.phone} ${C.label('kind', m.kind)}` }) },
    ], d.failed.slice(0, 10), { caption: '发送失败或状态不明的短信', empty: '没有发送失败或状态不明的短信。' });
  }

  function ordersPart(d) {
    return C.table([
      { label: '单号', cell: (o) => `#${o.id}` },
      { label: '服务', cell: (o) => [C.label('service', o.kind), o.urgent ? [' ', C.badge('紧急', 'warn')] : null] },
      { label: '居民', cell: (o) => `${o.name || ''} ${o.phone}` },
      { label: '时间', cell: (o) => `${C.dayLabel(o.day)} ${C.label('half', o.half_day)}` },
      { label: '状态', cell: (o) => (o.escalated ? C.badge('无人接单,已通知值班电话', 'alert')
        : o.status === 'requested' ? '还没派出(等合作单位上班)' : `已派 ${o.wave} 轮,等待接单`) },
      { label: '详情', cell: (o) => C.link('查看', `#/orders/${o.id}`, { 'aria-label': `查看订单 #${o.id}` }) },
    ], d.orders, { caption: '等待接单的订单', empty: '没有等待接单的订单。', rowClass: (o) => (o.escalated ? 'escalated' : '') });
  }

  // callsPart lists the residents on voice whom staff should phone: their
  // call went unanswered twice, or nobody pressed a key.
  function callsPart(d) {
    if (!d.calls) return h('p', { class: 'empty' }, '这台服务器没有启用电话语音通知。');
    return C.table([
      { label: '时间', cell: (c) => C.stamp(c.at) },
      { label: '手机号', cell: (c) => C.link(c.phone, `#/residents/${c.phone}`, { 'aria-label': `居民 ${c.phone}` }) },
      { label: '通知', cell: (c) => C.label('kind', c.kind) },
      { label: '原因', cell: (c) => c.why },
    ], d.calls.follow_ups, { caption: '请打电话联系的居民', empty: '没有需要打电话联系的居民。' });
  }

  C.route('today', {
    title: '今日',
    async render(view, args, ctx) {
      const tiles = h('ul', { class: 'tiles', 'aria-label': '今日概况' });
      const evSec = C.section('今天的活动');
      const kSec = C.section('自助机');
      const sSec = C.section('发送失败或状态不明的短信');
      const oSec = C.section('等待接单');
      const cSec = C.section('请打电话联系');
      const updated = h('span', { class: 'updated' });
      let fresh = null;
      const bar = h('p', { class: 'refresh' }, updated, C.button('立即刷新', () => fresh && fresh.refresh(true), { class: 'quiet' }));
      const backup = h('p', { class: 'notice backup-problem', role: 'alert', hidden: true });
      view.append(bar, backup, tiles, evSec, oSec, cSec, sSec, kSec);

      async function draw() {
        const d = await load();
        if (!C.current(ctx.gen)) return;
        C.setTitle(ctx, `今日 · ${C.dayLabel(d.today).replace('(今天)', '')}`);
        backup.textContent = d.backupProblem;
        backup.hidden = !d.backupProblem;
        const online = d.kiosks ? d.kiosks.filter((k) => k.online).length : 0;
        const escalated = d.orders.filter((o) => o.escalated).length;
        tiles.replaceChildren(...[
          tile('今天的活动', String(d.todays.length), `已签到 ${d.counts.reduce((n, a) => n + a.checked_in, 0)} / 已预约 ${d.counts.reduce((n, a) => n + a.booked, 0)}`, '#/events'),
          tile('自助机在线', d.kiosks ? `${online} / ${d.kiosks.length}` : '–', d.kiosks && online < d.kiosks.length ? `${d.kiosks.length - online} 台离线` : '', '#/kiosks', d.kiosks && online < d.kiosks.length),
          tile('短信发送失败', String(d.failed.length), d.replies ? `${d.replies} 条回复待处理` : '', '#/sms', d.failed.length > 0 || d.replies > 0),
          tile('等待接单', String(d.orders.length), escalated ? `${escalated} 单无人接` : '', '#/orders', escalated > 0),
          d.calls ? tile('今天的语音电话', d.calls.budget ? `${d.calls.today} / ${d.calls.budget}` : String(d.calls.today),
            d.calls.follow_ups.length ? `${d.calls.follow_ups.length} 位请打电话联系` : '',
            '#/today', d.calls.follow_ups.length > 0 || (d.calls.budget > 0 && d.calls.today >= d.calls.budget * 0.9)) : null,
        ].filter(Boolean));
        replaceBody(evSec, eventsTable(d));
        replaceBody(kSec, kiosksPart(d));
        replaceBody(sSec, failedPart(d, () => fresh && fresh.refresh(true)));
        replaceBody(oSec, ordersPart(d));
        replaceBody(cSec, callsPart(d));
      }
      fresh = await C.fresh(ctx, { watch: WATCH, load: draw, status: updated, pollLive, pollDown });
    },
  });

  // replaceBody replaces what follows a section's heading.
  function replaceBody(sec, body) {
    const head = sec.querySelector('h2');
    sec.replaceChildren(head);
    C.append(sec, [body]);
  }
})(window.C);
