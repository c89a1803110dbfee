'use strict';
// bank.js: 时间银行 (issue 20): help requests residents asked for (at a
// kiosk or here) with what staff do to them — enter the hours, confirm
// them (never the volunteer's own), approve the pool paying or an
// overdraft, cancel; every account's balance (the sum of its ledger,
// never an edited number) with its ledger and reversals; gifts and
// donations proven by the holder's SMS code; grants from the pool; the
// community's rules.
(function (C) {
  const h = C.h;
  const STATUS = { open: ['等待志愿者', 'warn'], accepted: ['志愿者已接', 'ok'], done: ['待确认时长', 'warn'],
    confirmed: ['已完成', 'ok'], cancelled: ['已取消', 'gone'], escalated: ['无人接,请安排', 'alert'] };
  const KIND = { earn: '服务获得', redeem: '接受服务', gift: '赠与亲属', donate: '捐入时间池', reverse: '冲正', grant: '时间池拨付' };
  const hours = (m) => (m / 60).toFixed(2).replace(/\.?0+$/, '') + '小时';
  const half = (x) => C.dayLabel(x.day) + (x.half_day === 'am' ? '上午' : '下午');

  C.route('bank', {
    title: '时间银行',
    async render(view, args, ctx) {
      const [{ requests }, { accounts }, rules] = await Promise.all([C.api('GET', '/api/admin/help-requests'),
        C.api('GET', '/api/admin/bank/accounts'), C.api('GET', '/api/admin/bank/rules')]);
      if (!C.current(ctx.gen)) return;
      const reload = () => C.render();
      const act = (label, fn, r) => C.button(label, fn, { class: 'small', 'aria-label': `${label}:求助${r.id}` });
      view.append(
        h('p', { class: 'hint' }, '居民在自助机“我要求助”或由工作人员登记求助,系统分批短信询问志愿者,志愿者回复“接+编号”接单、“完成+编号 小时数”报完成;居民回复“1”确认时长后,时间从居民账户转给志愿者。志愿者不能确认自己的时长。'),
        h('p', { class: 'page-actions' }, C.button('登记求助', () => askDialog(rules, reload), { class: 'primary' }), ' ',
          C.button('时间池拨付', () => grantDialog(reload))),
        C.section('求助', C.table([
          { label: '编号', class: 'num', cell: (r) => String(r.id) },
          { label: '居民', cell: (r) => r.resident },
          { label: '服务', cell: (r) => r.service },
          { label: '时间', cell: (r) => half(r) },
          { label: '志愿者', cell: (r) => r.volunteer || '' },
          { label: '时长', cell: (r) => (r.minutes ? hours(r.minutes) : '') },
          { label: '状态', cell: (r) => [C.badge(...(STATUS[r.status] || [r.status])), r.pool_pays ? ' 时间池代付' : '', r.overdraft_ok ? ' 可透支' : ''] },
          { label: '操作', cell: (r) => [
            r.status === 'accepted' ? act('登记时长', () => completeDialog(r, reload), r) : null,
            r.status === 'done' ? act('确认时长', () => confirmHelp(r, reload), r) : null,
            ['open', 'accepted', 'done', 'escalated'].includes(r.status) ? act('批准代付或透支', () => approveDialog(r, reload), r) : null,
            ['open', 'accepted', 'escalated'].includes(r.status) ? act('取消', () => C.confirm(`取消求助${r.id}?`, '已接单的志愿者会收到短信。', async () => {
              await C.api('POST', `/api/admin/help-requests/${r.id}/cancel`, {});
              C.say(`已取消求助${r.id}。`);
              reload();
            }, true), r) : null] },
        ], requests, { caption: '求助', empty: '还没有求助。' })),
        C.section('余额', C.table([
          { label: '账户', cell: (a) => a.name || `账户${a.id}` },
          { label: '类型', cell: (a) => ({ pool: '时间池', person: '个人', unit: '单位' }[a.kind] || a.kind) },
          { label: '余额', class: 'num', cell: (a) => hours(a.balance_minutes) },
          { label: '操作', cell: (a) => [C.button('明细', () => ledgerDialog(a, reload), { class: 'small', 'aria-label': `明细:${a.name}` }),
            a.kind === 'person' ? [' ', C.button('赠与或捐赠', () => giftDialog(a, reload), { class: 'small', 'aria-label': `赠与或捐赠:${a.name}` })] : null] },
        ], accounts, { caption: '余额', empty: '还没有时间银行账户。' })),
        C.section('规则', h('p', {}, `服务项目:${rules.services.join('、')}。`),
          h('p', {}, `每年最多记:${rules.yearly_cap_minutes ? hours(rules.yearly_cap_minutes) + (rules.over_cap === 'refuse' ? ',超出不记' : ',超出捐入时间池') : '不设上限'};` +
            `有效期:${rules.expiry_months ? rules.expiry_months + '个月' : '长期有效'};年满${rules.redeem_age}岁可用时间兑换服务。`),
          C.isAdmin() ? C.button('修改规则', () => rulesDialog(rules, reload)) : null));
    },
  });

  async function confirmHelp(r, reload) {
    await C.api('POST', `/api/admin/help-requests/${r.id}/confirm`, {});
    C.say(`已确认求助${r.id}的时长,时间已转给志愿者。`);
    reload();
  }

  function askDialog(rules, reload) {
    const phone = C.input({ inputmode: 'numeric', maxlength: 13, required: true, name: 'phone' });
    const service = C.select(rules.services.map((s) => [s, s]), { name: 'service' });
    const day = C.input({ type: 'date', required: true, value: C.ymdAdd(C.today(), 1), name: 'day' });
    const halfDay = C.select([['am', '上午'], ['pm', '下午']], { name: 'half' });
    const pool = C.check('时间池代付(孤寡、困难老人,工作人员批准)', { name: 'pool' });
    const f = C.form({
      label: '登记', name: '求助',
      submit: async () => {
        const r = await C.api('POST', '/api/help-requests', { phone: C.phoneDigits(phone.value), service: service.value, day: day.value,
          half_day: halfDay.value, pool_pays: C.box(pool).checked });
        d.close();
        C.say(`已登记求助${r.id},正在短信询问志愿者。`);
        reload();
      },
    }, h('div', { class: 'grid-2' }, C.field('居民手机号', phone), C.field('服务', service)),
    h('div', { class: 'grid-2' }, C.field('日期', day), C.field('时段', halfDay)), pool);
    const d = C.dialog('登记求助', f);
  }

  function completeDialog(r, reload) {
    const hrs = C.input({ inputmode: 'decimal', required: true, maxlength: 4, name: 'hours' });
    const f = C.form({
      label: '登记', name: '服务时长',
      submit: async () => {
        await C.api('POST', `/api/admin/help-requests/${r.id}/complete`, { hours: hrs.value.trim() });
        d.close();
        C.say(`已登记求助${r.id}的时长,已短信请居民回复“1”确认。`);
        reload();
      },
    }, C.field('服务了几小时', hrs, { hint: '如 1.5;按一刻钟向下取整,一次最多8小时。' }));
    const d = C.dialog(`求助${r.id}:${r.volunteer}的服务时长`, f);
  }

  function approveDialog(r, reload) {
    const pool = C.check('时间池代付', { checked: r.pool_pays, name: 'pool' });
    const over = C.check('余额不足时允许透支', { checked: r.overdraft_ok, name: 'overdraft' });
    const f = C.form({
      label: '保存', name: '批准',
      submit: async () => {
        await C.api('POST', `/api/admin/help-requests/${r.id}/approve`, { pool_pays: C.box(pool).checked, overdraft_ok: C.box(over).checked });
        d.close();
        C.say(`已保存求助${r.id}的批准。`);
        reload();
      },
    }, pool, over);
    const d = C.dialog(`求助${r.id}:批准`, f);
  }

  async function ledgerDialog(a, reload) {
    const { lines } = await C.api('GET', `/api/admin/bank/accounts/${a.id}`);
    const d = C.dialog(`明细:${a.name}`, C.table([
      { label: '编号', class: 'num', cell: (l) => String(l.transfer_id) },
      { label: '时间', cell: (l) => C.when(l.created) },
      { label: '类别', cell: (l) => KIND[l.kind] || l.kind },
      { label: '变动', class: 'num', cell: (l) => (l.minutes > 0 ? '+' : '') + hours(l.minutes) },
      { label: '余额', class: 'num', cell: (l) => hours(l.balance) },
      { label: '说明', cell: (l) => [l.reason, l.reverses_id ? `(冲正${l.reverses_id})` : '', l.reversed ? '(已冲正)' : ''] },
      { label: '经办', cell: (l) => l.operator },
      { label: '操作', cell: (l) => (l.kind === 'reverse' || l.reversed ? '' : C.button('冲正', () => reverseDialog(l, () => { d.close(); reload(); }),
        { class: 'small', 'aria-label': `冲正${l.transfer_id}` })) },
    ], lines, { caption: '明细', empty: '还没有记录。' }));
  }

  function reverseDialog(l, done) {
    const reason = C.input({ maxlength: 50, required: true, name: 'reason' });
    const f = C.form({
      label: '冲正', name: '冲正',
      submit: async () => {
        await C.api('POST', `/api/admin/bank/transfers/${l.transfer_id}/reverse`, { reason: reason.value.trim() });
        d.close();
        C.say(`已冲正第${l.transfer_id}笔。`);
        done();
      },
    }, C.field('原因', reason, { hint: '记录不会删除,冲正是一笔新的反向记录。' }));
    const d = C.dialog(`冲正第${l.transfer_id}笔(${KIND[l.kind] || l.kind} ${hours(Math.abs(l.minutes))})`, f);
  }

  function giftDialog(a, reload) {
    const to = C.input({ inputmode: 'numeric', maxlength: 13, name: 'to' });
    const mins = C.input({ inputmode: 'decimal', required: true, maxlength: 6, name: 'hours' });
    const code = C.input({ inputmode: 'numeric', maxlength: 6, required: true, name: 'code' });
    const send = C.button('发验证码到本人手机', async () => {
      const r = await C.api('POST', `/api/admin/bank/accounts/${a.id}/code`, {});
      C.say(r.sent ? '验证码已发出,请本人告诉您短信里的6位数字。' : '验证码没能发出(今天短信已达上限或已退订)。', r.sent ? '' : 'warn');
    });
    const f = C.form({
      label: '转出', name: '赠与或捐赠',
      submit: async () => {
        await C.api('POST', '/api/admin/bank/gifts', { from_account: a.id, to_phone: C.phoneDigits(to.value), minutes: Math.round(Number(mins.value) * 60),
          reason: '', code: code.value.trim() });
        d.close();
        C.say('已转出。');
        reload();
      },
    }, C.field('给谁(亲属手机号)', to, { hint: '只能赠与登记过的亲属;不填就是捐入时间池。' }), C.field('小时数', mins),
    h('p', {}, send), C.field('本人手机收到的验证码', code));
    const d = C.dialog(`从${a.name}转出时间`, f);
  }

  function grantDialog(reload) {
    const phone = C.input({ inputmode: 'numeric', maxlength: 13, required: true, name: 'phone' });
    const mins = C.input({ inputmode: 'decimal', required: true, maxlength: 6, name: 'hours' });
    const reason = C.input({ maxlength: 50, required: true, name: 'reason' });
    const f = C.form({
      label: '拨付', name: '时间池拨付',
      submit: async () => {
        await C.api('POST', '/api/admin/bank/grants', { phone: C.phoneDigits(phone.value), minutes: Math.round(Number(mins.value) * 60), reason: reason.value.trim() });
        d.close();
        C.say('已从时间池拨付。');
        reload();
      },
    }, C.field('居民手机号', phone), C.field('小时数', mins), C.field('原因', reason, { hint: '如:孤寡老人补贴。' }));
    const d = C.dialog('时间池拨付', f);
  }

  function rulesDialog(rules, reload) {
    const services = h('textarea', { rows: 3, name: 'services' });
    services.value = rules.services.join('\n');
    const cap = C.input({ type: 'number', min: 0, max: 1500, value: rules.yearly_cap_minutes / 60, name: 'cap' });
    const over = C.select([['donate', '超出捐入时间池'], ['refuse', '超出不记']], { value: rules.over_cap, name: 'over' });
    const expiry = C.input({ type: 'number', min: 0, max: 600, value: rules.expiry_months, name: 'expiry' });
    const age = C.input({ type: 'number', min: 0, max: 100, value: rules.redeem_age, name: 'age' });
    const f = C.form({
      label: '保存', name: '时间银行规则',
      submit: async () => {
        await C.api('PUT', '/api/admin/bank/rules', { services: services.value.split(/[\n,,、]+/).map((s) => s.trim()).filter(Boolean),
          yearly_cap_minutes: Math.round(Number(cap.value || 0) * 60), over_cap: over.value, expiry_months: Number(expiry.value || 0),
          redeem_age: Number(age.value || 0) });
        d.close();
        C.say('已保存时间银行规则。');
        reload();
      },
    }, C.field('服务项目', services, { wide: true, hint: '每行一项;只做低风险、非专业的互助服务。' }),
    h('div', { class: 'grid-3' }, C.field('每年最多记(小时,0为不限)', cap), C.field('超出上限', over), C.field('有效期(月,0为长期)', expiry)),
    C.field('年满几岁可用时间兑换服务', age));
    const d = C.dialog('修改时间银行规则', f);
  }
})(window.C);
