'use strict';
// classes.js: 课程: the partners' free term classes (公益培训). The list by
// period, a form to create one (its weekly sessions are laid out by the
// server, holidays skipped), and a class's page: its sessions (calling
// one off texts everyone enrolled), the roster of a session with 到/未到
// marks, the term's enrolments with the waitlist, enrolling a resident who
// phoned, and the attendance export.
(function (C) {
  const h = C.h;

  const PERIODS = [['upcoming', '还没结束的'], ['past', '已经结束的'], ['cancelled', '已取消的']];
  const WEEKDAYS = ['', '星期一', '星期二', '星期三', '星期四', '星期五', '星期六', '星期日'];
  const STATUS = { open: '开放报名', closed: '停止报名', cancelled: '已取消' };
  const SESSION = { scheduled: '上课', skipped: '假期不上课', cancelled: '停课' };
  const SESSION_BADGE = { scheduled: 'ok', skipped: 'gone', cancelled: 'warn' };

  let period = 'upcoming';

  // schedule is a class's time in words: 每星期四 19:00–20:30.
  const schedule = (c) => `每${WEEKDAYS[c.weekday] || ''} ${c.start_time}–${c.end_time}`;
  const term = (c) => `${C.dayLabel(c.first_date)} 至 ${C.dayLabel(c.last_date)}`;

  C.route('classes', {
    title: '课程',
    async render(view, args, ctx) {
      if (args[0] === 'new') return form(view, ctx);
      const id = Number(args[0]) || 0;
      if (id && args[1]) return rosterPage(view, ctx, id, args[1]);
      if (id) return classPage(view, ctx, id);
      return list(view, ctx);
    },
  });

  // list shows the classes of the period chosen.
  async function list(view, ctx) {
    const when = C.select(PERIODS, { name: 'when', value: period });
    const body = h('div');
    async function load() {
      period = when.value;
      const { classes } = await C.api('GET', `/api/admin/classes?when=${encodeURIComponent(period)}`);
      if (!C.current(ctx.gen)) return;
      body.replaceChildren(C.table([
        { label: '课程', cell: (c) => [h('strong', {}, c.title), h('span', { class: 'sub' }, `${c.partner} · ${c.teacher}老师`)] },
        { label: '时间', cell: (c) => [schedule(c), h('span', { class: 'sub' }, term(c))] },
        { label: '地点', cell: (c) => c.place },
        { label: '已报/名额', class: 'num', cell: (c) => `${c.taken} / ${c.capacity}` },
        { label: '候补', class: 'num', cell: (c) => String(c.waiting || 0) },
        { label: '状态', cell: (c) => C.badge(STATUS[c.status] || c.status, c.status === 'open' ? 'ok' : 'warn') },
        { label: '操作', cell: (c) => C.link('课程与名单', `#/classes/${c.id}`, { 'aria-label': `${c.title}的课程与名单` }) },
      ], classes, { caption: '课程', empty: period === 'upcoming' ? '没有还没结束的课程。点“新建课程”添加。' : '没有这样的课程。' }));
    }
    when.addEventListener('change', () => load().catch((e) => C.say(C.errorText(e), 'err')));
    view.append(
      h('p', { class: 'page-actions' }, C.link('新建课程', '#/classes/new', { class: 'button primary' })),
      h('p', { class: 'hint' }, '共建单位的公益课:每周固定时间上课,按学期报名;满了以后排候补。连续3次没来的居民会收到短信,回复1保留名额。'),
      h('div', { class: 'toolbar' }, C.field('显示', when)),
      body);
    await load();
  }

  // holidays reads the 停课日期 box: one range a line, "2026-10-01 2026-10-07 国庆节"
  // or "2026-10-22 运动会".
  function holidays(text) {
    const out = [];
    for (const line of text.split('\n').map((x) => x.trim()).filter(Boolean)) {
      const parts = line.split(/\s+/);
      const r = { from: parts[0] };
      if (parts[1] && /^\d{4}-\d{2}-\d{2}$/.test(parts[1])) r.to = parts[1];
      r.reason = parts.slice(r.to ? 2 : 1).join(' ');
      out.push(r);
    }
    return out;
  }

  // form creates a class.
  async function form(view, ctx) {
    const [places, partners] = await Promise.all([C.api('GET', '/api/places'), C.api('GET', '/api/admin/partners')]);
    if (!C.current(ctx.gen)) return;
    C.setTitle(ctx, '新建课程');
    const title = C.input({ name: 'title', required: true, maxlength: 40 });
    const teacher = C.input({ name: 'teacher', required: true, maxlength: 20 });
    const partner = C.select(partners.partners.map((x) => [x.id, x.name]), { name: 'partner', required: true });
    const place = C.select(places.places.map((x) => [x.id, x.name]), { name: 'place', required: true });
    const weekday = C.select(WEEKDAYS.slice(1).map((w, i) => [i + 1, w]), { name: 'weekday', value: 4 });
    const start = C.input({ type: 'time', name: 'start_time', required: true, value: '19:00' });
    const end = C.input({ type: 'time', name: 'end_time', required: true, value: '20:30' });
    const first = C.input({ type: 'date', name: 'first_date', required: true });
    const last = C.input({ type: 'date', name: 'last_date', required: true });
    const skipped = h('textarea', { name: 'skipped', rows: 3 });
    const capacity = C.input({ type: 'number', name: 'capacity', required: true, min: 1, max: 10000, value: 20 });
    const f = C.form({
      label: '创建课程', name: '新建课程',
      submit: async () => {
        const c = await C.api('POST', '/api/admin/classes', {
          title: title.value.trim(), teacher: teacher.value.trim(), partner_id: Number(partner.value), place_id: Number(place.value),
          weekday: Number(weekday.value), start_time: start.value, end_time: end.value, first_date: first.value, last_date: last.value,
          skipped: holidays(skipped.value), capacity: Number(capacity.value),
        });
        const n = c.sessions.filter((s) => s.status === 'scheduled').length;
        C.say(`已创建课程“${c.title}”,共 ${n} 节课。`);
        C.go(`#/classes/${c.id}`);
      },
    },
    C.field('课程名称', title), C.field('老师', teacher), C.field('共建单位', partner), C.field('地点', place),
    C.field('每周', weekday), C.field('上课时间', start), C.field('下课时间', end),
    C.field('第一次上课不早于', first), C.field('最后一次上课不晚于', last),
    C.field('停课日期', skipped, { hint: '每行一段,如“2026-10-01 2026-10-07 国庆节”或“2026-10-22 运动会”;这些日子不上课,不补课。', wide: true }),
    C.field('名额', capacity));
    view.append(f);
    title.focus();
  }

  // classPage shows a class: its sessions, its enrolments and the desk's
  // enrolment form.
  async function classPage(view, ctx, id) {
    const sessionsBody = h('div');
    const enrolBody = h('div');
    const summary = h('p', { class: 'summary' });
    async function reload() {
      const [c, { enrolments }] = await Promise.all([
        C.api('GET', `/api/admin/classes/${id}`), C.api('GET', `/api/admin/classes/${id}/enrolments`)]);
      if (!C.current(ctx.gen)) return;
      C.setTitle(ctx, `课程 · ${c.title}`);
      summary.replaceChildren(`${c.partner} · ${c.teacher}老师 · ${schedule(c)} · ${c.place} · ${term(c)} · 已报 ${c.taken} / ${c.capacity} 人 · 候补 ${c.waiting || 0} 人`);
      const today = C.today();
      sessionsBody.replaceChildren(C.table([
        { label: '日期', cell: (s) => C.dayLabel(s.date) },
        { label: '安排', cell: (s) => [C.badge(SESSION[s.status], SESSION_BADGE[s.status]), s.reason ? h('span', { class: 'sub' }, s.reason) : null] },
        { label: '操作', cell: (s) => h('span', { class: 'row-actions' },
          s.status === 'scheduled' && s.date <= today ? C.link('点名', `#/classes/${id}/${s.date}`, { 'aria-label': `${s.date}点名` }) : null,
          s.status === 'scheduled' && s.date >= today ? C.button('停课', () => callOff(c, s, reload), { class: 'small danger', 'aria-label': `${s.date}停课` }) : null) },
      ], c.sessions, { caption: '每节课' }));
      enrolBody.replaceChildren(C.table([
        { label: '姓名', cell: (e) => e.name || '(未留姓名)' },
        { label: '手机号', cell: (e) => e.phone },
        { label: '状态', cell: (e) => [C.badge(C.label('booking', e.status), e.status),
          e.status === 'waitlisted' && e.position ? h('span', { class: 'sub' }, `第 ${e.position} 位`) : null] },
        { label: '报名时间', cell: (e) => C.stamp(e.created_at) },
        { label: '操作', cell: (e) => (C.live(e.status) ? C.button('取消报名', async () => {
          await C.api('POST', `/api/admin/enrolments/${e.id}/cancel`, { reason: '工作人员取消' });
          C.say(`已取消 ${e.name || e.phone} 的报名;空出的名额会让给候补的居民。`);
          await reload();
        }, { class: 'small danger', 'aria-label': `取消报名:${e.name || e.phone}` }) : '') },
      ], enrolments, { caption: '报名名单', empty: '还没有人报名。' }));
    }
    view.append(summary,
      h('p', { class: 'page-actions' }, h('a', { href: `/api/admin/classes/${id}/attendance.csv`, download: '' }, '导出出勤表(CSV)')),
      C.section('每节课', sessionsBody),
      C.section('代居民报名', enrolForm(id, reload)),
      C.section('报名名单', enrolBody));
    await reload();
  }

  // callOff asks for a reason and calls one session off.
  function callOff(c, s, reload) {
    const reason = C.input({ name: 'reason', required: true, maxlength: 30 });
    const f = C.form({
      label: '确认停课', danger: true, name: '停课',
      submit: async () => {
        await C.api('POST', `/api/admin/classes/${c.id}/cancel-session`, { date: s.date, reason: reason.value.trim() });
        d.close();
        C.say(`${C.dayLabel(s.date)}的${c.title}已停课,报名的居民会收到短信。`);
        await reload();
      },
    }, C.field('停课原因', reason, { hint: '会写进短信,例如“老师生病”。' }));
    const d = C.dialog(`停课:${c.title} ${C.dayLabel(s.date)}`, f);
    reason.focus();
  }

  // enrolForm enrols a resident who phoned or came to the desk.
  function enrolForm(id, reload) {
    let key = C.key('class-enrol');
    const phone = C.input({ type: 'tel', name: 'phone', required: true, inputmode: 'tel', autocomplete: 'off', maxlength: 20 });
    const name = C.input({ name: 'name', maxlength: 20, autocomplete: 'off' });
    const result = h('div', { class: 'result', role: 'status' });
    const f = C.form({
      label: '报名', name: '代居民报名',
      submit: async () => {
        if (!C.phoneOK(phone.value)) throw C.invalid('手机号码不正确,请输入以1开头的11位手机号。');
        const e = await C.api('POST', `/api/admin/classes/${id}/enrolments`, {
          phone: C.phoneDigits(phone.value), name: name.value.trim(), idempotency_key: key });
        key = C.key('class-enrol');
        const who = e.name || e.phone;
        if (e.existing) result.replaceChildren(h('p', { class: 'notice' }, `${who} 已经报过这门课了(${C.label('booking', e.status)}),没有重复报名。`));
        else if (e.status === 'waitlisted') result.replaceChildren(h('p', { class: 'ok' }, `名额已满,已为 ${who} 排上候补(第 ${e.position || 1} 位)。`));
        else result.replaceChildren(h('p', { class: 'ok' }, `已为 ${who} 报名,报名成功。`));
        f.reset();
        await reload();
      },
    }, C.field('手机号', phone), C.field('姓名', name));
    return h('div', {}, f, result);
  }

  // rosterPage is a session's roster: 到 / 未到 for each resident holding
  // a place.
  async function rosterPage(view, ctx, id, date) {
    const body = h('div');
    async function reload() {
      const [c, r] = await Promise.all([C.api('GET', `/api/admin/classes/${id}`),
        C.api('GET', `/api/admin/classes/${id}/attendance?date=${encodeURIComponent(date)}`)]);
      if (!C.current(ctx.gen)) return;
      C.setTitle(ctx, `点名 · ${c.title} ${C.dayLabel(date)}`);
      const mark = (a, m) => C.button(m === 'present' ? '到' : '未到', async () => {
        await C.api('POST', `/api/admin/classes/${id}/attendance`, { date, enrolment_id: a.enrolment_id, mark: m });
        await reload();
      }, { class: 'small' + (a.mark === m ? ' primary' : ''), 'aria-pressed': String(a.mark === m), 'aria-label': `${a.name || a.phone}${m === 'present' ? '到' : '未到'}` });
      const came = r.roster.filter((a) => a.mark === 'present').length;
      body.replaceChildren(h('p', { class: 'summary' }, `到 ${came} / ${r.roster.length} 人`), C.table([
        { label: '姓名', cell: (a) => a.name || '(未留姓名)' },
        { label: '手机号', cell: (a) => a.phone },
        { label: '出勤', cell: (a) => (a.mark === 'present' ? '到' : a.mark === 'absent' ? '未到' : '未点名') },
        { label: '点名', cell: (a) => h('span', { class: 'row-actions' }, mark(a, 'present'), mark(a, 'absent')) },
      ], r.roster, { caption: '点名', empty: '这节课没有报名的居民。' }));
    }
    view.append(h('p', {}, C.link('返回课程', `#/classes/${id}`)), body);
    await reload();
  }
})(window.C);
