'use strict';
// classes.js: 课程: the partners' free term classes (公益培训). The list by
// period, a form to create one or change it (its weekly sessions are laid
// out by the server, holidays skipped; sessions already held keep their
// attendance), and a class's page: its sessions (calling one off or adding
// a make-up session texts everyone enrolled), the roster of a session
// with 到/未到 marks and, today, a field for the resident's check-in code
// or QR code, the term's enrolments with the waitlist, enrolling a
// resident who phoned, and the attendance export.
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
      if (id && args[1] === 'edit') return form(view, ctx, id);
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

  // skippedText writes a class's 停课日期 back as the box reads them.
  const skippedText = (list) => (list || []).map((r) => [r.from, r.to && r.to !== r.from ? r.to : '', r.reason || '']
    .filter(Boolean).join(' ')).join('\n');

  // form creates a class, or changes class id: its title, teacher, time,
  // dates and size. The server says in words what is wrong; the sessions
  // held stay as they were, with their attendance.
  async function form(view, ctx, id) {
    const [places, partners, old] = await Promise.all([C.api('GET', '/api/places'), C.api('GET', '/api/admin/partners'),
      id ? C.api('GET', `/api/admin/classes/${id}`) : null]);
    if (!C.current(ctx.gen)) return;
    const v = old || { weekday: 4, start_time: '19:00', end_time: '20:30', capacity: 20 };
    C.setTitle(ctx, old ? `修改课程 · ${old.title}` : '新建课程');
    const title = C.input({ name: 'title', required: true, maxlength: 40, value: v.title || '' });
    const teacher = C.input({ name: 'teacher', required: true, maxlength: 20, value: v.teacher || '' });
    const partner = C.select(partners.partners.map((x) => [x.id, x.name]), { name: 'partner', required: true, value: v.partner_id });
    const place = C.select(places.places.map((x) => [x.id, x.name]), { name: 'place', required: true, value: v.place_id });
    const weekday = C.select(WEEKDAYS.slice(1).map((w, i) => [i + 1, w]), { name: 'weekday', value: v.weekday });
    const start = C.input({ type: 'time', name: 'start_time', required: true, value: v.start_time });
    const end = C.input({ type: 'time', name: 'end_time', required: true, value: v.end_time });
    const first = C.input({ type: 'date', name: 'first_date', required: true, value: v.first_date || '' });
    const last = C.input({ type: 'date', name: 'last_date', required: true, value: v.last_date || '' });
    const skipped = h('textarea', { name: 'skipped', rows: 3 });
    skipped.value = skippedText(v.skipped);
    const capacity = C.input({ type: 'number', name: 'capacity', required: true, min: 1, max: 10000, value: v.capacity });
    const f = C.form({
      label: old ? '保存修改' : '创建课程', name: old ? '修改课程' : '新建课程',
      submit: async () => {
        const body = {
          title: title.value.trim(), teacher: teacher.value.trim(), partner_id: Number(partner.value), place_id: Number(place.value),
          weekday: Number(weekday.value), start_time: start.value, end_time: end.value, first_date: first.value, last_date: last.value,
          skipped: holidays(skipped.value), capacity: Number(capacity.value),
        };
        const c = await C.api(old ? 'PUT' : 'POST', old ? `/api/admin/classes/${id}` : '/api/admin/classes', body);
        const n = c.sessions.filter((s) => s.status === 'scheduled').length;
        C.say(old ? `已保存“${c.title}”,共 ${n} 节课;已上过的课和点名记录不变,安排有变时已短信告诉报名的居民。` : `已创建课程“${c.title}”,共 ${n} 节课。`);
        C.go(`#/classes/${c.id}`);
      },
    },
    C.field('课程名称', title), C.field('老师', teacher), C.field('共建单位', partner), C.field('地点', place),
    C.field('每周', weekday), C.field('上课时间', start), C.field('下课时间', end),
    C.field('第一次上课不早于', first), C.field('最后一次上课不晚于', last),
    C.field('停课日期', skipped, { hint: '每行一段,如“2026-10-01 2026-10-07 国庆节”或“2026-10-22 运动会”;这些日子不上课,不补课。', wide: true }),
    C.field('名额', capacity));
    if (old) view.append(h('p', {}, C.link('返回课程', `#/classes/${id}`)),
      h('p', { class: 'hint' }, '改了星期、时间、日期或地点,今天以后的课按新的安排,已报上名的居民各收到一条短信(候补的不发);只改名称、老师或名额不发短信。已上过的课和点名记录不变。'));
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
        { label: '安排', cell: (s) => [C.badge(SESSION[s.status], SESSION_BADGE[s.status]), s.makeup ? C.badge('补课', 'ok') : null,
          s.reason ? h('span', { class: 'sub' }, s.reason) : null] },
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
      h('p', { class: 'page-actions' }, C.link('修改课程', `#/classes/${id}/edit`, { class: 'button' }),
        C.button('加一节补课', () => makeup(id, reload), { id: 'makeup' }),
        h('a', { href: `/api/admin/classes/${id}/attendance.csv`, download: '' }, '导出出勤表(CSV)')),
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

  // makeup asks for a date and adds a make-up session (补课) at the
  // class's usual time and place; everyone enrolled is texted.
  function makeup(id, reload) {
    const date = C.input({ type: 'date', name: 'date', required: true, min: C.today() });
    const f = C.form({
      label: '确认补课', name: '补课',
      submit: async () => {
        const s = await C.api('POST', `/api/admin/classes/${id}/sessions`, { date: date.value });
        d.close();
        C.say(`已加补课:${C.dayLabel(s.date)},报名的居民会收到短信。`);
        await reload();
      },
    }, C.field('补课日期', date, { hint: '和平时同样的时间、地点;这一节也点名,也算连续缺课。' }));
    const d = C.dialog('加一节补课', f);
    date.focus();
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
    view.append(h('p', {}, C.link('返回课程', `#/classes/${id}`)));
    if (date === C.today()) view.append(checkinForm(id, reload));
    view.append(body);
    await reload();
  }

  // checkinForm checks a resident in at today's session by the 6-digit
  // code they type or say, or the QR code a scanner types (/c/TOKEN); the
  // answer is the door's, in its words, shown large.
  function checkinForm(id, reload) {
    const code = C.input({ name: 'code', inputmode: 'numeric', autocomplete: 'off', required: true, maxlength: 200 });
    const answer = h('div', { class: 'answer', role: 'status', 'aria-live': 'assertive' });
    const f = C.form({
      label: '签到', name: '课程签到',
      submit: async () => {
        const v = code.value.trim();
        const r = await C.api('POST', `/api/admin/classes/${id}/checkin`, /^\d{6}$/.test(v) ? { code: v } : { token: v });
        answer.className = 'answer ' + (r.outcome === 'ok' ? 'good' : r.outcome === 'already' ? 'same' : 'bad');
        answer.replaceChildren(h('p', { class: 'big' }, r.message),
          r.first_at && r.outcome === 'already' ? h('p', {}, `第一次签到:${C.when(r.first_at)}`) : null);
        code.value = '';
        code.focus();
        await reload();
      },
    }, C.field('签到码或二维码内容', code, { hint: '输入居民的6位签到码;扫码枪扫二维码会自动填入。' }));
    return h('div', {}, f, answer);
  }
})(window.C);
