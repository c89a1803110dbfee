'use strict';
// events.js: 活动: the events, upcoming, past or cancelled; a form to
// create or change one with its slots and capacity, and cancelling one
// with a reason (everyone booked is told by SMS).
(function (C) {
  const h = C.h;

  // Event kinds staff create; home services are orders, not events.
  const KINDS = ['clinic', 'lecture', 'venue', 'childcare'];

  // range says when an event runs: its first slot's start to its last's end.
  C.eventWhen = function (e) {
    if (!e.slots.length) return '没有时段';
    const first = e.slots[0], last = e.slots[e.slots.length - 1];
    return C.parts(first.start).ymd === C.parts(last.start).ymd ? C.span(first.start, last.end) : `${C.when(first.start)} 至 ${C.when(last.end)}`;
  };

  // seats sums an event's seats: taken / capacity.
  C.eventSeats = (e) => `${e.slots.reduce((n, s) => n + s.taken, 0)} / ${e.slots.reduce((n, s) => n + s.capacity, 0)}`;

  // The periods of the list: value, label, the table's caption, and what
  // to say when there is none.
  const PERIODS = [
    ['upcoming', '即将举行', '即将举行的活动', '没有即将举行的活动。点“新建活动”添加。'],
    ['past', '已结束', '已结束的活动', '没有已结束的活动。'],
    ['cancelled', '已取消', '已取消的活动', '没有取消过的活动。'],
    ['all', '全部', '全部活动', '还没有活动。点“新建活动”添加。'],
  ];

  // when is the period last chosen, kept while the console is open.
  let when = 'upcoming';

  // ended reports whether an event's last slot is over.
  const ended = (e) => e.slots.length > 0 && new Date(e.slots[e.slots.length - 1].end).getTime() <= Date.now();

  C.route('events', {
    title: '活动',
    async render(view, args, ctx) {
      if (args[0] === 'new') return form(view, ctx, null);
      if (args[0] === 'copy') return form(view, ctx, null, Number(args[1]));
      if (args[0]) return form(view, ctx, Number(args[0]));
      const pick = C.select(PERIODS.map((p) => [p[0], p[1]]), { name: 'when', value: when });
      const body = h('div');
      view.append(
        h('p', { class: 'page-actions' }, C.link('新建活动', '#/events/new', { class: 'button primary' })),
        h('div', { class: 'toolbar' }, C.field('显示', pick)),
        body);
      pick.addEventListener('change', () => {
        when = pick.value;
        list(body, ctx, when).catch((e) => body.replaceChildren(h('p', { class: 'form-error', role: 'alert' }, C.errorText(e))));
      });
      await list(body, ctx, when);
    },
  });

  // list shows the events of a period.
  async function list(body, ctx, period) {
    const p = PERIODS.find((x) => x[0] === period) || PERIODS[0];
    const { events } = await C.api('GET', `/api/admin/events?when=${p[0]}`);
    if (!C.current(ctx.gen) || period !== when) return;
    body.replaceChildren(
      C.table([
        { label: '活动', cell: (e) => [h('strong', {}, e.title), h('span', { class: 'sub' }, C.label('service', e.kind)),
          e.district_open ? C.badge('向街道开放', 'district') : null] },
        { label: '时间', cell: (e) => C.eventWhen(e) },
        { label: '地点', cell: (e) => e.place },
        { label: '状态', cell: (e) => (e.status === 'cancelled' ? C.badge(C.label('event', e.status), 'cancelled')
          : ended(e) ? C.badge('已结束', 'gone') : C.label('event', e.status)) },
        { label: '时段', class: 'num', cell: (e) => String(e.slots.length) },
        { label: '已约/名额', class: 'num', cell: (e) => C.eventSeats(e) },
        { label: '操作', cell: (e) => h('span', { class: 'row-actions' },
          e.status !== 'cancelled' ? C.link('修改', `#/events/${e.id}`, { 'aria-label': `修改${e.title}` }) : null,
          C.link('预约名单', `#/bookings/${e.id}`, { 'aria-label': `${e.title}的预约名单` }),
          C.link('复制', `#/events/copy/${e.id}`, { 'aria-label': `复制${e.title}(再办一次)` }),
          e.status !== 'cancelled' ? h('a', { href: `/staff/events/${e.id}/signin`, target: '_blank', rel: 'noopener', 'aria-label': `打印${e.title}的签到表(新窗口)` }, '签到表') : null,
          // An event that is over has nobody left to tell.
          e.status !== 'cancelled' && !ended(e) ? C.button('取消活动', () => cancelEvent(e), { class: 'danger small', 'aria-label': `取消活动:${e.title}` }) : null) },
      ], events, { caption: p[2], empty: p[3] }));
  }

  // cancelEvent asks for a reason and calls the event off.
  async function cancelEvent(e) {
    const a = await C.api('GET', `/api/admin/events/${e.id}/attendance`);
    const reason = h('textarea', { rows: 3, maxlength: 100, required: true });
    const f = C.form({
      label: '确认取消活动', danger: true, name: '取消活动',
      submit: async () => {
        await C.api('POST', `/api/admin/events/${e.id}/cancel`, { reason: reason.value.trim() });
        d.close();
        C.say(`已取消“${e.title}”,预约的居民会收到取消短信。`);
        C.go('#/events');
      },
    }, h('p', {}, `“${e.title}”(${C.eventWhen(e)})现在有 ${a.booked} 人预约。取消后,所有预约都会取消,每位预约的居民都会收到短信通知。`),
    C.field('取消原因', reason, { hint: '记在每个预约的记录里,例如“大夫临时有事”。' }));
    const d = C.dialog(`取消活动:${e.title}`, f);
    reason.focus();
  }

  // form shows the form to create an event (id null) or change one; a new
  // one may start as a copy of event copyOf (the monthly clinic held
  // again), its slots moved on by whole weeks to after today.
  async function form(view, ctx, id, copyOf) {
    const [places, partners, ev, src] = await Promise.all([
      C.api('GET', '/api/places'),
      C.api('GET', '/api/admin/partners'),
      id ? C.api('GET', `/api/events/${id}`) : null,
      copyOf ? C.api('GET', `/api/events/${copyOf}`) : null,
    ]);
    C.setTitle(ctx, ev ? `修改活动:${ev.title}` : src ? `新建活动(复制“${src.title}”)` : '新建活动');
    const e = ev || (src && copied(src)) || { title: '', kind: 'clinic', description: '', place_id: places.places[0] ? places.places[0].id : 0, waitlist: true, cutoff_minutes: 60, status: 'open', slots: [] };
    const title = C.input({ name: 'title', required: true, maxlength: 40, value: e.title });
    const kind = C.select(KINDS.concat(KINDS.includes(e.kind) ? [] : [e.kind]).map((k) => [k, C.label('service', k)]), { name: 'kind', value: e.kind });
    const place = C.select(places.places.map((p) => [p.id, p.name]), { name: 'place', required: true, value: e.place_id });
    const partner = C.select([[0, '无']].concat(partners.partners.map((p) => [p.id, p.name])), { name: 'partner', value: e.partner_id || 0 });
    const desc = h('textarea', { name: 'description', rows: 3, maxlength: 500 });
    desc.value = e.description || '';
    const cutoff = C.input({ type: 'number', name: 'cutoff', min: 0, max: 10080, step: 1, value: e.cutoff_minutes, inputmode: 'numeric' });
    const waitlist = C.check('约满后可以候补', { name: 'waitlist', checked: e.waitlist });
    // Open to the district: every community's kiosks show it, labelled
    // with this community, and their residents may book it.
    const districtOpen = C.check('向街道开放(其他社区的自助机也显示,居民都能预约)', { name: 'district_open', checked: !!e.district_open });
    const status = C.select([['open', '开放预约'], ['closed', '停止预约']], { name: 'status', value: e.status === 'closed' ? 'closed' : 'open' });
    const slots = slotEditor(e.slots);

    const f = C.form({
      label: ev ? '保存修改' : '创建活动', name: ev ? '修改活动' : '新建活动',
      submit: async () => {
        const body = {
          title: title.value.trim(), kind: kind.value, description: desc.value.trim(), place_id: Number(place.value),
          partner_id: Number(partner.value) || 0, waitlist: C.box(waitlist).checked, cutoff_minutes: Number(cutoff.value || 0),
          district_open: C.box(districtOpen).checked,
          status: ev ? status.value : 'open', slots: slots.read(),
        };
        if (!body.slots.length) throw C.invalid('请至少添加一个时段。');
        const saved = ev ? await C.api('PUT', `/api/admin/events/${ev.id}`, body) : await C.api('POST', '/api/admin/events', body);
        C.say(ev ? `已保存“${saved.title}”。` : `已创建活动“${saved.title}”,共 ${saved.slots.length} 个时段。`);
        C.go('#/events');
      },
      extra: C.link('返回活动列表', '#/events', { class: 'button' }),
    },
    h('div', { class: 'grid-2' },
      C.field('活动名称', title, { hint: '最多40个字,例如“免费义诊”。' }),
      C.field('类型', kind),
      C.field('地点', place),
      C.field('合作单位', partner, { hint: '提供服务的共建单位,可以不选。' }),
      C.field('提前多少分钟停止预约', cutoff, { hint: '每个时段开始前这么久停止预约;0 表示开始前都能约。' }),
      ev ? C.field('预约状态', status) : null),
    C.field('活动介绍', desc, { wide: true, hint: '自助机上显示,最多500字。' }),
    waitlist,
    districtOpen,
    slots.el);
    view.append(f);
    if (ev) view.append(h('p', { class: 'hint' }, '已有时段不能删除;不再需要的时段可以把名额改成已约人数。要取消整个活动,请在活动列表里点“取消活动”。'));
    title.focus();
  }

  // copied is a new event like src: the same title, place, partner and
  // rules, its slots at the same times of day and seats, whole weeks later
  // so that the first is after today.
  function copied(src) {
    const week = 7 * 24 * 3600 * 1000;
    const first = src.slots.length ? Date.parse(src.slots[0].start) : Date.now();
    const weeks = Math.max(1, Math.ceil((Date.now() - first) / week));
    const shift = (t) => new Date(Date.parse(t) + weeks * week).toISOString();
    return {
      title: src.title, kind: src.kind, description: src.description, place_id: src.place_id, partner_id: src.partner_id,
      waitlist: src.waitlist, cutoff_minutes: src.cutoff_minutes, status: 'open', district_open: !!src.district_open,
      slots: src.slots.map((sl) => ({ start: shift(sl.start), end: shift(sl.end), capacity: sl.capacity })),
    };
  }

  // slotEditor edits an event's slots: one row each, and a helper that
  // adds a day's worth of equal slots at once.
  function slotEditor(existing) {
    const body = h('tbody');
    const rows = [];
    const table = h('table', { class: 'grid slots' },
      h('caption', { class: 'sr-only' }, '时段和名额'),
      h('thead', {}, h('tr', {}, ['日期', '开始', '结束', '名额', ''].map((l) => h('th', { scope: 'col' }, l)))), body);
    const empty = h('p', { class: 'empty' }, '还没有时段。');

    function addRow(s) {
      const n = rows.length + 1;
      const p = s && s.start ? C.parts(s.start) : null, q = s && s.end ? C.parts(s.end) : null;
      const date = C.input({ type: 'date', required: true, value: s ? (p ? p.ymd : s.date) : C.ymdAdd(C.today(), 1), 'aria-label': `第${n}个时段的日期` });
      const start = C.input({ type: 'time', required: true, value: s ? (p ? p.hm : s.from) : '09:00', 'aria-label': `第${n}个时段的开始时间` });
      const end = C.input({ type: 'time', required: true, value: s ? (q ? q.hm : s.to) : '10:00', 'aria-label': `第${n}个时段的结束时间` });
      const cap = C.input({ type: 'number', required: true, min: 1, max: 10000, step: 1, inputmode: 'numeric', value: s ? s.capacity : 10, 'aria-label': `第${n}个时段的名额` });
      const row = { id: s && s.id ? s.id : 0, date, start, end, cap };
      const cell = (label, ...kids) => h('td', { 'data-label': label }, h('div', { class: 'cell' }, kids));
      const tr = h('tr', {},
        cell('日期', date), cell('开始', start), cell('结束', end),
        cell('名额', cap, s && s.id ? h('span', { class: 'sub' }, `已约 ${s.taken}`) : null),
        h('td', {}, row.id ? null : C.button('删除', () => {
          rows.splice(rows.indexOf(row), 1);
          tr.remove();
          empty.hidden = rows.length > 0;
          addBtn.focus();
        }, { class: 'small', 'aria-label': `删除第${n}个时段` })));
      row.tr = tr;
      rows.push(row);
      body.append(tr);
      empty.hidden = true;
      return row;
    }

    const addBtn = C.button('添加一个时段', () => {
      const last = rows[rows.length - 1];
      const r = addRow(last ? { date: last.date.value, from: last.end.value, to: last.end.value, capacity: last.cap.value } : null);
      r.date.focus();
    });

    // The generator: date, from, to, minutes each, seats each.
    const gDate = C.input({ name: 'gen-date', type: 'date', value: C.ymdAdd(C.today(), 1) });
    const gFrom = C.input({ name: 'gen-from', type: 'time', value: '09:00' });
    const gTo = C.input({ name: 'gen-to', type: 'time', value: '11:30' });
    const gEvery = C.input({ name: 'gen-every', type: 'number', min: 5, max: 1440, step: 5, value: 15, inputmode: 'numeric' });
    const gCap = C.input({ name: 'gen-capacity', type: 'number', min: 1, max: 10000, step: 1, value: 6, inputmode: 'numeric' });
    const gMsg = h('p', { class: 'hint', role: 'status' });
    const gen = C.button('生成时段', () => {
      const toMin = (hm) => Number(hm.slice(0, 2)) * 60 + Number(hm.slice(3, 5));
      const a = toMin(gFrom.value), b = toMin(gTo.value), step = Number(gEvery.value);
      if (!gDate.value || !(b > a) || !(step >= 5)) {
        gMsg.textContent = '请填写日期,结束要晚于开始,每段至少5分钟。';
        return;
      }
      const hm = (m) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
      let n = 0;
      for (let m = a; m + step <= b; m += step) {
        addRow({ date: gDate.value, from: hm(m), to: hm(m + step), capacity: gCap.value });
        n++;
      }
      gMsg.textContent = n ? `已添加 ${n} 个时段。` : '这段时间放不下一个时段。';
    });
    const generator = h('details', { class: 'generator' }, h('summary', {}, '批量添加时段(例如每15分钟一段)'),
      h('div', { class: 'grid-3' }, C.field('日期', gDate), C.field('从', gFrom), C.field('到', gTo),
        C.field('每段分钟数', gEvery), C.field('每段名额', gCap)), h('p', {}, gen), gMsg);

    (existing || []).forEach(addRow);
    empty.hidden = rows.length > 0;
    const el = h('fieldset', { class: 'slot-editor' }, h('legend', {}, '时段和名额'),
      h('div', { class: 'table-wrap' }, table), empty, h('p', {}, addBtn), generator);
    return {
      el,
      read: () => rows.map((r) => {
        const s = { start: C.iso(r.date.value, r.start.value), end: C.iso(r.date.value, r.end.value), capacity: Number(r.cap.value) };
        if (r.end.value <= r.start.value) s.end = C.iso(C.ymdAdd(r.date.value, 1), r.end.value); // past midnight
        if (r.id) s.id = r.id;
        return s;
      }),
    };
  }
})(window.C);
