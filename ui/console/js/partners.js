'use strict';
// partners.js: 共建单位: the partner units that take orders by SMS (list;
// admins add and change them) and each partner's dispatch figures.
(function (C) {
  const h = C.h;

  // The services a partner may take.
  const SERVICES = ['clinic', 'haircut', 'repair', 'medicine', 'childcare', 'venue', 'lecture'];

  C.route('partners', {
    title: '共建单位',
    async render(view, args, ctx) {
      const [{ partners }, { estates }, stats] = await Promise.all([
        C.api('GET', '/api/admin/partners'), C.api('GET', '/api/estates'), C.api('GET', '/api/admin/partners/stats'),
      ]);
      if (!C.current(ctx.gen)) return;
      const reload = () => C.render();
      const estateName = (id) => (estates.find((e) => e.id === id) || {}).name || `#${id}`;
      view.append(
        C.isAdmin() ? h('p', { class: 'page-actions' }, C.button('添加共建单位', () => editDialog(null, estates, reload), { class: 'primary' }),
          ' ', C.button('添加其他社区已有的单位', () => linkDialog(estates, reload))) : null,
        C.section('共建单位', C.table([
          { label: '单位', cell: (p) => [h('strong', {}, p.name), h('span', { class: 'sub' }, C.label('partner', p.kind))] },
          { label: '接单电话', cell: (p) => p.phones.join('、') },
          { label: '服务', cell: (p) => p.services.map((s) => C.label('service', s)).join('、') },
          { label: '范围', cell: (p) => (p.estates.length ? p.estates.map(estateName).join('、') : '全部小区') },
          { label: '接单时间', cell: (p) => (p.opens_at === p.closes_at ? '全天' : `${p.opens_at}–${p.closes_at}`) },
          { label: '顺序', class: 'num', cell: (p) => String(p.priority) },
          { label: '状态', cell: (p) => (p.active ? C.badge('接单中', 'ok') : C.badge('暂停', 'gone')) },
          C.isAdmin() ? { label: '操作', cell: (p) => C.button('修改', () => editDialog(p, estates, reload), { class: 'small', 'aria-label': `修改${p.name}` }) } : null,
        ].filter(Boolean), partners, { caption: '共建单位', empty: '还没有共建单位。' })),
        C.section('接单统计', h('p', { class: 'hint' }, '每个单位收到的派单、接下的和完成的单数,以及从派单到接单的中位时间。'),
          C.table([
            { label: '单位', cell: (s) => s.partner },
            { label: '收到派单', class: 'num', cell: (s) => String(s.offered) },
            { label: '接单', class: 'num', cell: (s) => String(s.accepted) },
            { label: '完成', class: 'num', cell: (s) => String(s.done) },
            { label: '接单用时(中位)', class: 'num', cell: (s) => (s.accepted ? minutes(s.median_accept_seconds) : '') },
          ], stats.partners, { caption: '接单统计', empty: '还没有派单记录。' })));
    },
  });

  function minutes(sec) {
    if (sec < 60) return `${Math.round(sec)} 秒`;
    if (sec < 3600) return `${Math.round(sec / 60)} 分钟`;
    return `${(sec / 3600).toFixed(1)} 小时`;
  }

  // linkDialog adds a unit that already serves another community of the
  // district (the district hospital, a builder) to this community, found by
  // one of its phones, with what it takes and where here (admins).
  function linkDialog(estates, reload) {
    const phone = C.input({ type: 'tel', name: 'phone', inputmode: 'numeric', required: true, maxlength: 20, autocomplete: 'off' });
    const services = SERVICES.map((s) => C.check(C.label('service', s), { value: s }));
    const areas = estates.map((e) => C.check(e.name, { value: String(e.id) }));
    const f = C.form({
      label: '添加', name: '其他社区已有的单位',
      submit: async () => {
        const p = await C.api('POST', '/api/admin/partners/link', {
          phone: phone.value.trim(),
          services: services.map(C.box).filter((b) => b.checked).map((b) => b.value),
          estates: areas.map(C.box).filter((b) => b.checked).map((b) => Number(b.value)),
        });
        d.close();
        C.say(`已添加“${p.name}”,它在本社区按这里选的服务和小区接单。`);
        reload();
      },
    },
    C.field('单位的接单电话', phone, { wide: true, hint: '填写这个单位在其他社区登记的任一手机号。' }),
    h('fieldset', {}, h('legend', {}, '在本社区提供的服务'), h('div', { class: 'checks' }, services)),
    h('fieldset', {}, h('legend', {}, '在本社区服务的小区(都不选表示全部小区)'), h('div', { class: 'checks' }, areas)));
    const d = C.dialog('添加其他社区已有的单位', f);
    phone.focus();
  }

  // editDialog adds a partner (p null) or changes one (admins).
  function editDialog(p, estates, reload) {
    const x = p || { name: '', kind: 'hospital', phones: [], services: [], estates: [], opens_at: '09:00', closes_at: '18:00', priority: 0, active: true };
    const name = C.input({ required: true, maxlength: 40, value: x.name });
    const kind = C.select(Object.entries(C.L.partner), { value: x.kind });
    const phones = h('textarea', { rows: 2, required: true });
    phones.value = x.phones.join('\n');
    const services = SERVICES.map((s) => C.check(C.label('service', s), { value: s, checked: x.services.includes(s) }));
    const areas = estates.map((e) => C.check(e.name, { value: String(e.id), checked: x.estates.includes(e.id) }));
    const opens = C.input({ type: 'time', value: x.opens_at, required: true });
    const closes = C.input({ type: 'time', value: x.closes_at, required: true });
    const priority = C.input({ type: 'number', min: 0, max: 100, step: 1, inputmode: 'numeric', value: x.priority });
    const active = C.check('接单中', { checked: x.active });
    const f = C.form({
      label: p ? '保存' : '添加', name: '共建单位',
      submit: async () => {
        const body = {
          name: name.value.trim(), kind: kind.value,
          phones: phones.value.split(/[\s,,、;;]+/).map((s) => s.trim()).filter(Boolean),
          services: services.map(C.box).filter((b) => b.checked).map((b) => b.value),
          estates: areas.map(C.box).filter((b) => b.checked).map((b) => Number(b.value)),
          opens_at: opens.value, closes_at: closes.value, priority: Number(priority.value || 0), active: C.box(active).checked,
        };
        if (p) await C.api('PUT', `/api/admin/partners/${p.id}`, body);
        else await C.api('POST', '/api/admin/partners', body);
        d.close();
        C.say(`已保存“${body.name}”。`);
        reload();
      },
    },
    h('div', { class: 'grid-2' }, C.field('单位名称', name), C.field('类型', kind)),
    C.field('接单电话', phones, { wide: true, hint: '每行一个手机号,1到10个;这些号码可以回复短信“接+单号”接单。' }),
    h('fieldset', {}, h('legend', {}, '提供的服务'), h('div', { class: 'checks' }, services)),
    h('fieldset', {}, h('legend', {}, '服务的小区(都不选表示全部小区)'), h('div', { class: 'checks' }, areas)),
    h('div', { class: 'grid-3' }, C.field('开始接单', opens), C.field('停止接单', closes, { hint: '和开始相同表示全天。' }),
      C.field('派单顺序', priority, { hint: '小的先派。' })),
    active);
    const d = C.dialog(p ? `修改:${p.name}` : '添加共建单位', f);
    name.focus();
  }
})(window.C);
