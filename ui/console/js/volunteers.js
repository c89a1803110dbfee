'use strict';
// volunteers.js: 志愿活动 (activities, their shifts and rosters, who is
// present, the hours to confirm) and 志愿者 (people, skills, consent,
// status, this year's confirmed hours and the printable certificate).
(function (C) {
  const h = C.h;
  const SIGNUP = { confirmed: ['已报名', 'ok'], waitlist: ['候补', 'warn'], cancelled: ['已取消', 'gone'] };
  const VSTATUS = { active: ['在岗', 'ok'], paused: ['暂停', 'warn'], left: ['已退出', 'gone'] };
  const JOINED = { sms: '短信', kiosk: '自助机', staff: '工作人员登记' };
  const hours = (m) => `${+(m / 60).toFixed(2)}小时`;
  const time = (t) => C.parts(t).hm;

  C.route('volunteer-activities', {
    title: '志愿活动',
    async render(view, args, ctx) {
      const id = Number(args[0]) || 0;
      if (id) return activityPage(view, ctx, id);
      const [{ activities, kinds }, { volunteers }, queue, { partners }] = await Promise.all([
        C.api('GET', '/api/admin/volunteer-activities'), C.api('GET', '/api/admin/volunteers'),
        C.api('GET', '/api/admin/hours'), C.api('GET', '/api/admin/partners'),
      ]);
      if (!C.current(ctx.gen)) return;
      const reload = () => C.render();
      view.append(
        h('p', { class: 'hint' }, '志愿活动和班次。可以短信招募订阅了这类活动的志愿者,回复“参加+班次号”报名,先到先得;活动前一天自动短信提醒。签到签退后的服务时长要由工作人员确认。'),
        h('p', { class: 'page-actions' }, C.button('新建志愿活动', () => activityDialog(null, kinds, volunteers, partners, reload), { class: 'primary' })),
        C.section('志愿活动', C.table([
          { label: '活动', cell: (a) => [C.link(a.title, `#/volunteer-activities/${a.id}`), h('span', { class: 'sub' }, a.kind)] },
          { label: '地点', cell: (a) => a.place },
          { label: '负责人', cell: (a) => a.leader || '' },
          { label: '重复', cell: (a) => (a.weekly ? '每周' : '一次') },
          { label: '状态', cell: (a) => (a.status === 'active' ? C.badge('进行中', 'ok') : C.badge('已结束', 'gone')) },
        ], activities, { caption: '志愿活动', empty: '还没有志愿活动。' })),
        hoursSection(queue, reload));
    },
  });

  // hoursSection lists the hours to confirm and the signups staff must
  // settle (a forgotten check-out).
  function hoursSection(queue, reload) {
    return C.section('待确认的服务时长',
      C.table([
        { label: '志愿者', cell: (c) => c.volunteer },
        { label: '活动', cell: (c) => c.activity },
        { label: '在岗', cell: (c) => C.span(c.start, c.end) },
        { label: '时长', class: 'num', cell: (c) => hours(c.minutes) },
        { label: '操作', cell: (c) => [
          C.button('确认', () => decide(c, true, reload), { class: 'small primary', 'aria-label': `确认${c.volunteer}的时长` }), ' ',
          C.button('不通过', () => decide(c, false, reload), { class: 'small', 'aria-label': `不通过${c.volunteer}的时长` }), ' ',
          C.button('更正', () => correctDialog(c, reload), { class: 'small', 'aria-label': `更正${c.volunteer}的时长` })] },
      ], queue.claims, { caption: '待确认的服务时长', empty: '没有待确认的服务时长。' }),
      queue.signups.length ? h('h3', {}, '需要补登签到签退') : null,
      queue.signups.length ? C.table([
        { label: '志愿者', cell: (g) => g.volunteer },
        { label: '原因', cell: (g) => g.to_staff },
        { label: '签到', cell: (g) => (g.check_in ? C.when(g.check_in) : '') },
        { label: '操作', cell: (g) => C.button('补登', () => presenceDialog(g, reload), { class: 'small', 'aria-label': `补登${g.volunteer}` }) },
      ], queue.signups, { caption: '需要补登签到签退' }) : null);
  }

  async function decide(c, confirm, reload) {
    await C.api('POST', `/api/admin/hours/${c.id}/decide`, { confirm, note: '' });
    C.say(confirm ? `已确认${c.volunteer}的${hours(c.minutes)}。` : `已不通过${c.volunteer}的时长。`);
    reload();
  }

  function correctDialog(c, reload) {
    const minutes = C.input({ type: 'number', min: 0, max: 480, step: 15, value: c.minutes, required: true, name: 'minutes' });
    const note = C.input({ maxlength: 60, required: true, name: 'note' });
    const f = C.form({
      label: '保存', name: '更正服务时长',
      submit: async () => {
        await C.api('POST', `/api/admin/hours/${c.id}/correct`, { minutes: Number(minutes.value), note: note.value.trim() });
        d.close();
        C.say('已更正,记入操作记录。');
        reload();
      },
    }, C.field('时长(分钟)', minutes, { hint: '按15分钟计,最多8小时。' }), C.field('更正原因', note));
    const d = C.dialog(`更正:${c.volunteer}`, f);
  }

  function presenceDialog(g, reload) {
    const local = (t) => (t ? `${C.parts(t).ymd}T${C.parts(t).hm}` : '');
    const inp = C.input({ type: 'datetime-local', required: true, value: local(g.check_in), name: 'in' });
    const out = C.input({ type: 'datetime-local', required: true, name: 'out' });
    const f = C.form({
      label: '保存', name: '补登签到签退',
      submit: async () => {
        const iso = (v) => C.iso(v.slice(0, 10), v.slice(11, 16));
        await C.api('PUT', `/api/admin/signups/${g.id}/presence`, { check_in: iso(inp.value), check_out: iso(out.value) });
        d.close();
        C.say('已补登,时长待确认。');
        reload();
      },
    }, C.field('签到时间', inp), C.field('签退时间', out));
    const d = C.dialog(`补登:${g.volunteer}`, f);
  }

  function activityDialog(a, kinds, volunteers, partners, reload) {
    const x = a || { kind: kinds[0], title: '', place: '', leader_id: 0, partners: [], weekly: true, status: 'active' };
    const kind = C.select(kinds.map((k) => [k, k]), { value: x.kind, name: 'kind' });
    const title = C.input({ maxlength: 20, required: true, value: x.title, name: 'title' });
    const place = C.input({ maxlength: 20, required: true, value: x.place, name: 'place' });
    const leader = C.select([[0, '(无)'], ...volunteers.map((v) => [v.id, v.name])], { value: x.leader_id || 0, name: 'leader' });
    const weekly = C.check('每周重复(如靓丽星期五)', { checked: x.weekly, name: 'weekly' });
    const units = partners.map((p) => C.check(p.name, { value: String(p.id), checked: x.partners.includes(p.id) }));
    const f = C.form({
      label: '保存', name: '志愿活动',
      submit: async () => {
        const body = { kind: kind.value, title: title.value.trim(), place: place.value.trim(), leader_id: Number(leader.value),
          weekly: C.box(weekly).checked, status: x.status,
          partners: units.map(C.box).filter((b) => b.checked).map((b) => Number(b.value)) };
        if (a) await C.api('PUT', `/api/admin/volunteer-activities/${a.id}`, body);
        else await C.api('POST', '/api/admin/volunteer-activities', body);
        d.close();
        C.say('已保存志愿活动。');
        reload();
      },
    },
    h('div', { class: 'grid-2' }, C.field('类别', kind), C.field('名称', title)),
    h('div', { class: 'grid-2' }, C.field('地点', place), C.field('负责人', leader, { hint: '负责人可以确认别人的时长,不能确认自己的。' })),
    weekly, units.length ? h('fieldset', {}, h('legend', {}, '参与的共建单位'), h('div', { class: 'checks' }, units)) : null);
    const d = C.dialog(a ? `修改:${a.title}` : '新建志愿活动', f);
  }

  async function activityPage(view, ctx, id) {
    const a = await C.api('GET', `/api/admin/volunteer-activities/${id}`);
    const rosters = await Promise.all((a.shifts || []).map((s) => C.api('GET', `/api/admin/shifts/${s.id}/roster`)));
    if (!C.current(ctx.gen)) return;
    const reload = () => C.render();
    view.append(
      h('p', {}, C.link('← 全部志愿活动', '#/volunteer-activities')),
      h('p', { class: 'hint' }, `${a.kind} · ${a.place}${a.leader ? ' · 负责人' + a.leader : ''}${a.weekly ? ' · 每周重复' : ''}`),
      h('p', { class: 'page-actions' }, C.button('添加班次', () => shiftDialog(a, reload), { class: 'primary' })),
      ...(rosters.length ? rosters.map((r) => shiftSection(r.shift, r.signups, reload)) : [h('p', { class: 'empty' }, '还没有班次。')]));
  }

  function shiftSection(s, signups, reload) {
    const present = signups.filter((g) => g.check_in && !g.check_out).length;
    const code = C.input({ inputmode: 'numeric', maxlength: 6, name: 'code', 'aria-label': `班次${s.id}签到码` });
    const door = C.form({
      label: '签到/签退', name: `班次${s.id}签到`,
      submit: async () => {
        const r = await C.api('POST', `/api/admin/shifts/${s.id}/presence`, { code: code.value.trim() });
        C.say(r.message);
        reload();
      },
    }, C.field('志愿者的签到码', code, { hint: '第一次输入签到,第二次签退。' }));
    return C.section(`班次${s.id}:${C.span(s.start, s.end)} ${s.task}`,
      h('p', {}, `需要${s.capacity}人,已报名${s.taken}人,候补${s.waiting}人,在岗${present}人。`,
        ' ', C.button('短信招募', () => callOut(s, reload), { class: 'small', 'aria-label': `短信招募班次${s.id}` })),
      door,
      C.table([
        { label: '志愿者', cell: (g) => g.volunteer },
        { label: '报名方式', cell: (g) => JOINED[g.channel] || g.channel },
        { label: '状态', cell: (g) => C.badge(...(SIGNUP[g.status] || [g.status])) },
        { label: '签到', cell: (g) => (g.check_in ? time(g.check_in) : '') },
        { label: '签退', cell: (g) => (g.check_out ? time(g.check_out) : '') },
        { label: '签到码', cell: (g) => g.code },
        { label: '操作', cell: (g) => (g.status !== 'cancelled' && !g.check_in ?
          C.button('取消报名', () => cancel(g, reload), { class: 'small', 'aria-label': `取消${g.volunteer}的报名` }) : '') },
      ], signups, { caption: `班次${s.id}名单`, empty: '还没有人报名。' }));
  }

  async function callOut(s, reload) {
    const r = await C.api('POST', `/api/admin/shifts/${s.id}/callout`, {});
    C.say(`已给${r.texted}位志愿者发招募短信。`);
    reload();
  }

  async function cancel(g, reload) {
    await C.api('POST', `/api/admin/signups/${g.id}/cancel`, {});
    C.say(`已取消${g.volunteer}的报名,空出的名额给了候补的第一位。`);
    reload();
  }

  function shiftDialog(a, reload) {
    const date = C.input({ type: 'date', required: true, name: 'date' });
    const start = C.input({ type: 'time', required: true, value: '08:30', name: 'start' });
    const end = C.input({ type: 'time', required: true, value: '11:30', name: 'end' });
    const task = C.input({ maxlength: 20, required: true, name: 'task' });
    const cap = C.input({ type: 'number', min: 1, max: 200, value: 10, required: true, name: 'capacity' });
    const weeks = C.input({ type: 'number', min: 1, max: 26, value: a.weekly ? 4 : 1, name: 'weeks', disabled: !a.weekly });
    const f = C.form({
      label: '添加', name: '添加班次',
      submit: async () => {
        const r = await C.api('POST', `/api/admin/volunteer-activities/${a.id}/shifts`, {
          start: C.iso(date.value, start.value), end: C.iso(date.value, end.value), task: task.value.trim(),
          capacity: Number(cap.value), weeks: Number(weeks.value || 1) });
        d.close();
        C.say(`已添加${r.shifts.length}个班次。`);
        reload();
      },
    },
    h('div', { class: 'grid-3' }, C.field('日期', date), C.field('开始', start), C.field('结束', end)),
    h('div', { class: 'grid-3' }, C.field('任务', task), C.field('需要人数', cap), C.field('重复几周', weeks)));
    const d = C.dialog(`添加班次:${a.title}`, f);
  }

  C.route('volunteers', {
    title: '志愿者',
    async render(view, args, ctx) {
      const year = C.parts(Date.now()).ymd.slice(0, 4);
      const [{ volunteers, kinds }, figures, { partners }, { accounts }] = await Promise.all([C.api('GET', '/api/admin/volunteers'),
        C.api('GET', `/api/admin/volunteer-figures?year=${year}`), C.api('GET', '/api/admin/partners'),
        C.api('GET', '/api/admin/bank/accounts')]);
      const account = {};
      accounts.forEach((a) => { if (a.volunteer_id) account[a.volunteer_id] = a; });
      if (!C.current(ctx.gen)) return;
      const reload = () => C.render();
      const mins = {};
      figures.volunteers.forEach((f) => { mins[f.volunteer_id] = f; });
      view.append(
        h('p', { class: 'hint' }, '志愿者可以回复“R”或“TD”退订全部短信。只有经确认的时长才计入年度时长和志愿服务记录证明。'),
        h('p', { class: 'page-actions' }, C.button('登记志愿者', () => volunteerDialog(null, kinds, partners, reload), { class: 'primary' })),
        C.section('志愿者', C.table([
          { label: '姓名', cell: (v) => [h('strong', {}, v.name || '(姓名待补)'), h('span', { class: 'sub' }, v.partner || '居民')] },
          { label: '手机', cell: (v) => v.phone },
          { label: '特长', cell: (v) => v.skills.join('、') },
          { label: '接收招募', cell: (v) => (v.consent ? v.kinds.join('、') || '未选类别' : '未同意') },
          { label: '状态', cell: (v) => C.badge(...(VSTATUS[v.status] || [v.status])) },
          { label: `${year}年时长`, class: 'num', cell: (v) => hours((mins[v.id] || {}).minutes || 0) },
          { label: '操作', cell: (v) => [C.button('修改', () => volunteerDialog(v, kinds, partners, reload), { class: 'small', 'aria-label': `修改${v.name}` }),
            ' ', h('a', { href: `/staff/volunteers/${v.id}/certificate?year=${year}`, target: '_blank', rel: 'noopener' }, '打印证明'),
            ' ', C.button('时间账户', () => showLedger(v, account[v.id]), { class: 'small', 'aria-label': `时间账户${v.name}` })] },
        ], volunteers, { caption: '志愿者', empty: '还没有志愿者。' })),
        C.section(`${year}年共建单位志愿服务`, C.table([
          { label: '单位', cell: (u) => u.name },
          { label: '参与人数', class: 'num', cell: (u) => String(u.people) },
          { label: '人次', class: 'num', cell: (u) => String(u.times) },
          { label: '确认时长', class: 'num', cell: (u) => hours(u.minutes) },
          { label: '活动数', class: 'num', cell: (u) => String(u.activities) },
        ], figures.units, { caption: '共建单位志愿服务', empty: '还没有共建单位。' })),
        // The time bank's ledger of the volunteer chosen (时间账户).
        h('div', { id: 'volunteer-ledger' }));
    },
  });

  const LEDGER_KIND = { earn: '服务获得', redeem: '接受服务', gift: '赠与亲属', donate: '捐入时间池', reverse: '冲正', grant: '时间池拨付' };

  // showLedger fills the 志愿者 page's ledger panel with volunteer v's
  // time-bank balance and statement (a sum of the ledger, never a stored
  // number); reversals are made on 时间银行.
  async function showLedger(v, a) {
    const panel = document.getElementById('volunteer-ledger');
    if (!panel) return;
    const head = h('h2', {}, `时间账户:${v.name || v.phone}`);
    if (!a) {
      panel.replaceChildren(C.section(head.textContent, h('p', { class: 'hint' }, '还没有时间银行记录。')));
      return;
    }
    const { account, lines } = await C.api('GET', `/api/admin/bank/accounts/${a.id}`);
    panel.replaceChildren(C.section(head.textContent,
      h('p', {}, '余额 ', h('strong', { class: 'ledger-balance' }, hours(account.balance_minutes)),
        '  ', C.link('到时间银行冲正', '#/bank')),
      C.table([
        { label: '编号', class: 'num', cell: (l) => String(l.transfer_id) },
        { label: '时间', cell: (l) => C.when(l.created) },
        { label: '类别', cell: (l) => LEDGER_KIND[l.kind] || l.kind },
        { label: '变动', class: 'num', cell: (l) => (l.minutes > 0 ? '+' : '') + hours(l.minutes) },
        { label: '余额', class: 'num', cell: (l) => hours(l.balance) },
        { label: '说明', cell: (l) => [l.reason, l.reverses_id ? `(冲正${l.reverses_id})` : '', l.reversed ? '(已冲正)' : ''] },
      ], lines, { caption: '时间账户明细', empty: '还没有记录。' })));
    panel.scrollIntoView({ block: 'nearest' });
  }

  function volunteerDialog(v, kinds, partners, reload) {
    const x = v || { name: '', phone: '', partner_id: 0, skills: [], kinds: [], consent: true, status: 'active' };
    const name = C.input({ maxlength: 20, required: true, value: x.name, name: 'name' });
    const phone = C.input({ inputmode: 'tel', maxlength: 13, required: true, value: x.phone, name: 'phone' });
    const unit = C.select([[0, '(居民,不属于单位)'], ...partners.map((p) => [p.id, p.name])], { value: x.partner_id || 0, name: 'partner' });
    const skills = C.input({ maxlength: 60, value: x.skills.join('、'), name: 'skills' });
    const consent = C.check('同意接收志愿活动招募短信', { checked: x.consent, name: 'consent' });
    const boxes = kinds.map((k) => C.check(k, { value: k, checked: x.kinds.includes(k) }));
    const status = C.select([['active', '在岗'], ['paused', '暂停'], ['left', '已退出']], { value: x.status, name: 'status' });
    const f = C.form({
      label: '保存', name: '志愿者',
      submit: async () => {
        const body = { name: name.value.trim(), phone: C.phoneDigits(phone.value), partner_id: Number(unit.value),
          skills: skills.value.split(/[\s,,、;;]+/).filter(Boolean), consent: C.box(consent).checked, status: status.value,
          kinds: boxes.map(C.box).filter((b) => b.checked).map((b) => b.value) };
        if (v) await C.api('PUT', `/api/admin/volunteers/${v.id}`, body);
        else await C.api('POST', '/api/admin/volunteers', body);
        d.close();
        C.say('已保存志愿者。');
        reload();
      },
    },
    h('div', { class: 'grid-2' }, C.field('姓名', name), C.field('手机号', phone)),
    h('div', { class: 'grid-2' }, C.field('所在单位', unit), C.field('状态', status)),
    C.field('特长', skills, { hint: '用顿号隔开,如:理发、电工。' }),
    consent, h('fieldset', {}, h('legend', {}, '想接收哪些活动的招募'), h('div', { class: 'checks' }, boxes)));
    const d = C.dialog(v ? `修改:${v.name}` : '登记志愿者', f);
  }
})(window.C);
