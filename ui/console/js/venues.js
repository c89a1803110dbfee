'use strict';
// venues.js: 场馆: the rooms partner units lend (资源共享) — capacity,
// opening hours (lent whole for events, or open to residents with N
// places), closures, who answers by SMS — and the community's requests to
// use them with the partners' answers.
(function (C) {
  const h = C.h;
  const WEEK = ['一', '二', '三', '四', '五', '六', '日'];
  const STATUS = { pending: ['等待答复', 'warn'], approved: ['已同意', 'ok'], refused: ['不同意', 'alert'],
    expired: ['无人答复', 'alert'], withdrawn: ['已撤回', 'alert'], cancelled: ['已取消', 'gone'] };

  const DAYS = [['weekday', '平日(按星期)'], ['holiday', '法定节假日'], ['workday', '调休上班日']];

  // hoursText says a venue's opening rules in words: 周二、周四 18:00–20:00 开放20人;
  // 法定节假日 14:00–16:00 ….
  function hoursText(r) {
    const days = r.day === 'holiday' ? '法定节假日' : r.day === 'workday' ? '调休上班日' : r.weekdays.map((d) => '周' + WEEK[d - 1]).join('、');
    return `${days} ${r.start}–${r.end} ` + (r.mode === 'open' ? `向居民开放${r.places}人` : '可借用办活动');
  }

  // quotaText says a venue's limits per resident, or '' when none.
  function quotaText(v) {
    const parts = [];
    if (v.week_limit) parts.push(`每人每周${v.week_limit}次`);
    if (v.at_once) parts.push(`同时${v.at_once}次`);
    return parts.length ? '限' + parts.join('、') : '';
  }

  C.route('venues', {
    title: '场馆',
    async render(view, args, ctx) {
      const [{ venues }, { requests }, { places }, { partners }] = await Promise.all([
        C.api('GET', '/api/admin/venues'), C.api('GET', '/api/admin/venue-requests'),
        C.api('GET', '/api/places'), C.api('GET', '/api/admin/partners'),
      ]);
      if (!C.current(ctx.gen)) return;
      const reload = () => C.render();
      const free = places.filter((p) => !venues.some((v) => v.place_id === p.id));
      view.append(
        h('p', { class: 'hint' }, '共建单位借给社区的场馆。在场馆办活动时,会短信询问单位,单位回复“同意”后活动才对居民开放;向居民开放的时段每周自动排好,居民在自助机“场馆开放”里预约。'),
        C.isAdmin() && free.length && partners.length ?
          h('p', { class: 'page-actions' }, C.button('添加场馆', () => editDialog(null, free, partners, reload), { class: 'primary' })) : null,
        C.section('场馆', C.table([
          { label: '场馆', cell: (v) => [h('strong', {}, v.place), h('span', { class: 'sub' }, v.kind || '')] },
          { label: '共建单位', cell: (v) => v.partner },
          { label: '容纳', class: 'num', cell: (v) => String(v.capacity) },
          { label: '开放时间', cell: (v) => [v.hours.length ? v.hours.map((r) => h('div', {}, hoursText(r))) : '未设置',
            quotaText(v) ? h('span', { class: 'sub' }, quotaText(v)) : null] },
          { label: '关闭', cell: (v) => (v.closures || []).map((c) => h('div', {}, `${c.from}至${c.to} ${c.reason}`,
            C.isAdmin() ? [' ', C.button('取消关闭', () => reopen(c, reload), { class: 'small', 'aria-label': `取消关闭${c.from}` })] : null)) },
          { label: '审批电话', cell: (v) => (v.approvers.length ? v.approvers.join('、') : '单位的接单电话') },
          C.isAdmin() ? { label: '操作', cell: (v) => [C.button('修改', () => editDialog(v, places, partners, reload), { class: 'small', 'aria-label': `修改${v.place}` }),
            ' ', C.button('关闭一段时间', () => closeDialog(v, reload), { class: 'small', 'aria-label': `关闭${v.place}` })] } : null,
        ].filter(Boolean), venues, { caption: '场馆', empty: '还没有共建单位的场馆。' })),
        C.section('借用申请', h('p', { class: 'hint' }, '单位回复“同意+编号”“不同意+编号”会自动登记;没有按时答复、不同意或撤回时,值班手机会收到短信。'),
          C.table([
            { label: '编号', class: 'num', cell: (r) => String(r.id) },
            { label: '场馆', cell: (r) => r.venue },
            { label: '活动', cell: (r) => C.link(r.event, `#/events/${r.event_id}`) },
            { label: '时间', cell: (r) => C.span(r.start, r.end) },
            { label: '状态', cell: (r) => C.badge(...(STATUS[r.status] || [r.status])) },
            { label: '答复', cell: (r) => (r.status === 'pending' ? `${C.when(r.deadline)}前` : [r.decided_by, r.reason ? `:${r.reason}` : '']) },
            { label: '操作', cell: (r) => (r.status === 'pending' || r.status === 'approved' ?
              C.button('登记电话答复', () => answerDialog(r, reload), { class: 'small', 'aria-label': `登记申请${r.id}的答复` }) : '') },
          ], requests, { caption: '借用申请', empty: '还没有借用申请。' })));
    },
  });

  async function reopen(c, reload) {
    await C.api('DELETE', `/api/admin/venues/closures/${c.id}`);
    C.say(`已取消${c.from}至${c.to}的关闭。`);
    reload();
  }

  // answerDialog records an answer the partner gave by telephone.
  function answerDialog(r, reload) {
    const opts = r.status === 'pending' ? [['agree', '同意'], ['refuse', '不同意'], ['withdraw', '撤回']] : [['withdraw', '撤回(活动将取消,已预约的居民会收到短信)']];
    const answer = C.select(opts, { name: 'answer' });
    const reason = C.input({ maxlength: 60, name: 'reason' });
    const f = C.form({
      label: '登记', name: '电话答复',
      submit: async () => {
        await C.api('POST', `/api/admin/venue-requests/${r.id}/answer`, { answer: answer.value, reason: reason.value.trim() });
        d.close();
        C.say(`已登记申请${r.id}的答复。`);
        reload();
      },
    }, C.field('单位的答复', answer), C.field('原因', reason, { hint: '不同意时填写单位说的原因。' }));
    const d = C.dialog(`申请${r.id}:${r.venue} ${r.event}`, f);
  }

  // ruleRow is one opening rule's controls.
  function ruleRow(r) {
    const day = C.select(DAYS, { value: r.day || 'weekday', 'aria-label': '适用于' });
    const days = WEEK.map((w, i) => C.check('周' + w, { value: String(i + 1), checked: r.weekdays.includes(i + 1) }));
    const checks = h('div', { class: 'checks' }, days);
    const showDays = () => { checks.hidden = day.value !== 'weekday'; };
    day.addEventListener('change', showDays);
    showDays();
    const start = C.input({ type: 'time', value: r.start, required: true, 'aria-label': '开始' });
    const end = C.input({ type: 'time', value: r.end, required: true, 'aria-label': '结束' });
    const mode = C.select([['event', '借用办活动'], ['open', '向居民开放']], { value: r.mode, 'aria-label': '用途' });
    const places = C.input({ type: 'number', min: 0, max: 10000, value: r.places || 0, 'aria-label': '开放名额' });
    const row = h('fieldset', { class: 'rule' }, h('legend', {}, '开放时间'),
      C.field('适用于', day, { hint: '法定节假日没有专门的开放时间就不开放;调休上班日没有专门的时间就按节假日安排里对应的星期开放。' }), checks,
      h('div', { class: 'grid-3' }, C.field('开始', start), C.field('结束', end), C.field('用途', mode)),
      C.field('向居民开放时的名额', places));
    row.value = () => ({ day: day.value, weekdays: day.value === 'weekday' ? days.map(C.box).filter((b) => b.checked).map((b) => Number(b.value)) : [],
      start: start.value, end: end.value, mode: mode.value, places: Number(places.value || 0) });
    return row;
  }

  // editDialog makes a place a partner's venue (v null) or changes one.
  function editDialog(v, places, partners, reload) {
    const x = v || { place_id: places[0].id, partner_id: partners[0].id, kind: '', capacity: 50, buffer_minutes: 30, answer_hours: 24,
      approvers: [], notes: '', hours: [] };
    const place = C.select(places.map((p) => [p.id, p.name]), { value: x.place_id, name: 'place', disabled: !!v });
    const partner = C.select(partners.map((p) => [p.id, p.name]), { value: x.partner_id, name: 'partner' });
    const kind = C.input({ maxlength: 10, value: x.kind, name: 'kind' });
    const capacity = C.input({ type: 'number', min: 1, max: 10000, required: true, value: x.capacity, name: 'capacity' });
    const buffer = C.input({ type: 'number', min: 0, max: 1440, value: x.buffer_minutes, name: 'buffer' });
    const answer = C.input({ type: 'number', min: 0, max: 336, value: x.answer_hours, name: 'answer' });
    const weekLimit = C.input({ type: 'number', min: 0, max: 50, value: x.week_limit || 0, name: 'week_limit' });
    const atOnce = C.input({ type: 'number', min: 0, max: 50, value: x.at_once || 0, name: 'at_once' });
    const approvers = h('textarea', { rows: 2, name: 'approvers' });
    approvers.value = x.approvers.join('\n');
    const rules = h('div', { class: 'rules' }, x.hours.map(ruleRow));
    const add = C.button('再加一条开放时间', () => rules.append(ruleRow({ weekdays: [], start: '09:00', end: '17:00', mode: 'event', places: 0 })));
    const f = C.form({
      label: '保存', name: '场馆',
      submit: async () => {
        const body = {
          partner_id: Number(partner.value), kind: kind.value.trim(), capacity: Number(capacity.value),
          buffer_minutes: Number(buffer.value || 0), answer_hours: Number(answer.value || 0),
          approvers: approvers.value.split(/[\s,,、;;]+/).map((s) => s.trim()).filter(Boolean),
          notes: x.notes, hours: [...rules.children].map((r) => r.value()),
          week_limit: Number(weekLimit.value || 0), at_once: Number(atOnce.value || 0),
        };
        const saved = await C.api('PUT', `/api/admin/venues/${place.value}`, body);
        d.close();
        C.say(saved.called_off ? `已保存场馆。新的开放时间取消了${saved.called_off}个已有人预约的时段,预约的居民会收到短信:${C.calledOffText(saved.called_off_sessions)}。` : '已保存场馆。',
          saved.called_off ? 'warn' : '');
        reload();
      },
    },
    h('div', { class: 'grid-2' }, C.field('地点', place, { hint: '先在“地点与小区”里添加场馆的名称和地址。' }), C.field('共建单位', partner)),
    h('div', { class: 'grid-3' }, C.field('类型', kind, { hint: '礼堂、体育馆、图书室…' }), C.field('容纳人数', capacity),
      C.field('前后留空(分钟)', buffer, { hint: '两次使用之间留出的时间。' })),
    C.field('答复期限(活动前几小时)', answer, { hint: '到时还没答复,申请作废并短信通知值班手机。' }),
    C.field('审批手机号', approvers, { wide: true, hint: '每行一个,最多5个;不填则用单位的接单电话。' }),
    h('div', { class: 'grid-2' }, C.field('每人每周最多预约(次)', weekLimit, { hint: '居民在自助机预约开放时段的次数,0为不限。' }),
      C.field('每人同时最多预约(次)', atOnce, { hint: '还没去的预约最多几个,0为不限。' })),
    rules, add);
    if (!x.hours.length) add.click();
    const d = C.dialog(v ? `修改:${v.place}` : '添加场馆', f);
  }

  // calledOffText lists booked open-hours sessions a change called off:
  // the day, the time and how many residents were told, with the venue.
  C.calledOffText = function (list) {
    return (list || []).map((s) => `${s.venue} ${C.dayLabel(s.date)} ${s.start}–${s.end}(已短信告知${s.told}人)`).join('、');
  };

  // closeDialog closes a venue for some days and lists what it hits.
  function closeDialog(v, reload) {
    const from = C.input({ type: 'date', required: true, name: 'from' });
    const to = C.input({ type: 'date', required: true, name: 'to' });
    const reason = C.input({ maxlength: 40, name: 'reason' });
    const f = C.form({
      label: '关闭', name: '关闭场馆',
      submit: async () => {
        const r = await C.api('POST', `/api/admin/venues/${v.place_id}/closures`, { from: from.value, to: to.value || from.value, reason: reason.value.trim() });
        d.close();
        const off = r.closure.called_off || [];
        const parts = ['已关闭。'];
        if (off.length) parts.push(`取消了${off.length}个已有人预约的开放时段,预约的居民会收到短信:${C.calledOffText(off)}。`);
        if (r.hits.length) parts.push(`这段时间有${r.hits.length}个借用申请:${r.hits.map((x) => x.event).join('、')},请逐个改期或取消。`);
        C.say(parts.join(''), r.hits.length || off.length ? 'warn' : '');
        reload();
      },
    },
    h('div', { class: 'grid-3' }, C.field('从', from), C.field('到', to), C.field('原因', reason, { hint: '如:单位自用、法定节假日。' })));
    const d = C.dialog(`关闭${v.place}`, f);
  }
})(window.C);
