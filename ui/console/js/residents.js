'use strict';
// residents.js: 居民: a resident found by phone: name, address, family
// contacts who act for them, whether they opted out of SMS, their
// bookings, home-service orders and childcare enrolments, and the SMS sent
// to them.
(function (C) {
  const h = C.h;

  // MAX_FAMILY is the API's limit of family contacts.
  const MAX_FAMILY = 5;

  C.route('residents', {
    title: '居民',
    async render(view, args, ctx) {
      const phone = C.input({ type: 'tel', name: 'phone', required: true, inputmode: 'tel', maxlength: 20, value: args[0] || '' });
      const find = C.form({
        label: '查找', name: '查找居民', class: 'inline',
        submit: async () => {
          if (!C.phoneOK(phone.value)) throw C.invalid('手机号码不正确,请输入以1开头的11位手机号。');
          C.go(`#/residents/${C.phoneDigits(phone.value)}`);
        },
      }, C.field('手机号', phone));
      view.append(find);
      if (!args[0]) {
        view.append(h('p', { class: 'hint' }, '输入居民的手机号,查看和修改联系方式、家属和短信退订情况。'));
        phone.focus();
        return;
      }
      const num = args[0];
      let res = null;
      try {
        res = await C.api('GET', `/api/admin/residents/${encodeURIComponent(num)}`);
      } catch (e) {
        if (e.status !== 404 || e.code !== 'not_found') throw e;
      }
      if (!C.current(ctx.gen)) return;
      C.setTitle(ctx, res ? `居民 · ${res.name || res.phone}` : '居民 · 新建');
      if (!res) view.append(h('p', { class: 'notice' }, `还没有 ${num} 的居民记录。填写下面的表格可以新建。`));
      view.append(await residentForm(num, res));
      const smsBody = h('div');
      // loadSMS shows the SMS sent to the resident, again after a resend.
      async function loadSMS() {
        const { messages } = await C.api('GET', `/api/admin/messages?phone=${encodeURIComponent(num)}`);
        if (C.current(ctx.gen)) smsBody.replaceChildren(C.smsTable(messages, '短信记录', loadSMS));
      }
      const q = encodeURIComponent(num);
      const [bookings, enrolments, orders] = await Promise.all([
        C.api('GET', `/api/bookings?phone=${q}`), C.api('GET', `/api/enrolments?phone=${q}`), C.api('GET', `/api/admin/orders?phone=${q}`), loadSMS()]);
      if (!C.current(ctx.gen)) return;
      view.append(
        C.section('现在的预约', C.table([
          { label: '活动', cell: (b) => C.link(b.event_title, `#/bookings/${b.event_id}`) },
          { label: '时段', cell: (b) => C.span(b.slot_start, b.slot_end) },
          { label: '姓名', cell: (b) => b.name },
          { label: '状态', cell: (b) => C.badge(C.label('booking', b.status), b.status) },
          { label: '签到码', class: 'code', cell: (b) => b.code },
        ], bookings.bookings, { caption: '现在的预约', empty: '没有还没结束的预约。' })),
        C.section('上门服务', C.table([
          { label: '单号', cell: (o) => C.link(`#${o.id}`, `#/orders/${o.id}`, { 'aria-label': `订单 #${o.id} 的详情` }) },
          { label: '服务', cell: (o) => C.label('service', o.kind) },
          { label: '时间', cell: (o) => `${C.dayLabel(o.day)} ${C.label('half', o.half_day)}` },
          { label: '状态', cell: (o) => C.label('order', o.status) },
          { label: '接单单位', cell: (o) => o.partner || '' },
        ], orders.orders, { caption: '上门服务', empty: '没有上门服务的订单。' })),
        C.section('托管报名', C.table([
          { label: '项目', cell: (e) => C.link(e.programme, `#/programmes/${e.programme_id}`) },
          { label: '孩子', cell: (e) => e.children.map((c) => `${c.name || '孩子'}(${c.age}岁)`).join('、') },
          { label: '状态', cell: (e) => C.badge(C.label('booking', e.status) + (e.position ? `,第 ${e.position} 位` : ''), e.status) },
        ], enrolments.enrolments, { caption: '托管报名', empty: '没有托管报名。' })),
        C.section('短信记录', smsBody));
    },
  });

  // residentForm edits a resident; res is null for a new one.
  async function residentForm(phone, res) {
    const { estates } = await C.api('GET', '/api/estates');
    const r = res || { phone, name: '', address: {}, family: [], opted_out: false };
    const name = C.input({ name: 'name', maxlength: 20, value: r.name });
    const estate = C.select([[0, '未填写']].concat(estates.map((e) => [e.id, e.name])), { name: 'estate', value: r.address.estate_id || 0 });
    const building = C.input({ name: 'building', maxlength: 10, value: r.address.building || '' });
    const unit = C.input({ name: 'unit', maxlength: 10, value: r.address.unit || '' });
    const room = C.input({ name: 'room', maxlength: 10, value: r.address.room || '' });
    const fam = familyEditor(r.family || []);
    const sms = optOut(phone, r.opted_out);
    // How the resident hears from the community: a voice call for those
    // who cannot read an SMS (family contacts still get SMS copies).
    const channel = C.select([['sms', '短信'], ['voice', '电话语音(看不了短信的居民)'], ['both', '短信和电话语音都要']],
      { name: 'channel', value: r.channel || 'sms' });
    const f = C.form({
      label: res ? '保存' : '新建居民记录', name: '居民信息',
      submit: async () => {
        const body = {
          phone, name: name.value.trim(),
          address: Number(estate.value) ? { estate_id: Number(estate.value), building: building.value.trim(), unit: unit.value.trim(), room: room.value.trim() } : {},
          family: fam.read(),
          channel: channel.value,
        };
        for (const m of body.family) {
          if (!C.phoneOK(m.phone)) throw C.invalid(`家属“${m.name || m.relation || ''}”的手机号码不正确。`);
        }
        const saved = await C.api('PUT', `/api/admin/residents/${encodeURIComponent(phone)}`, body);
        C.say(`已保存 ${saved.name || saved.phone} 的信息。`);
        if (!res) C.go(`#/residents/${saved.phone}`);
      },
    },
    h('p', { class: 'summary' }, `手机号 ${r.phone}`, res && res.created_at ? ` · 建档于 ${C.dayLabel(res.created_at)}` : ''),
    sms,
    h('div', { class: 'grid-2' }, C.field('姓名', name), C.field('通知方式', channel)),
    h('fieldset', {}, h('legend', {}, '住址'),
      h('div', { class: 'grid-4' }, C.field('小区', estate), C.field('楼号', building), C.field('单元', unit), C.field('室', room))),
    fam.el);
    return f;
  }

  // optOut shows whether the resident gets SMS, with the button that
  // changes it when the resident asks (by phone, at the desk); it shows
  // itself again with the answer.
  function optOut(phone, out) {
    const el = out
      ? h('div', { class: 'notice sms-state' },
        h('p', {}, h('strong', {}, '已退订短信:'), '这位居民要求过不再收短信:活动提醒、候补通知、取消通知等都不会发给这个号码;只有居民自己刚办的事(新预约的确认、签到码)还会发。'),
        C.button('恢复接收短信', () => change(false), { class: 'primary small' }))
      : h('div', { class: 'sms-state' },
        h('p', {}, h('strong', {}, '短信:'), '正常接收通知短信。'),
        C.button('停止发送短信', () => change(true), { class: 'quiet small' }));

    async function change(stop) {
      const sure = stop
        ? await C.confirm('停止发送短信', `只在居民本人(或代办的家属)打电话或到服务台要求不再收短信时这样做。停止后,${phone} 不会再收到活动提醒、候补通知、取消通知等短信,直到恢复;居民自己刚办的预约仍会收到确认和签到码。`, '停止发送', true)
        : await C.confirm('恢复接收短信', `这位居民要求过不再收短信。只在居民本人(或代办的家属)要求恢复时这样做。恢复后,${phone} 会照常收到预约确认、提醒等通知短信。`, '恢复接收');
      if (!sure) return;
      const res = await C.api('PUT', `/api/admin/residents/${encodeURIComponent(phone)}/optout`, { opted_out: stop });
      C.say(res.opted_out ? `已停止给 ${phone} 发短信。` : `已恢复给 ${phone} 发短信。`);
      const next = optOut(phone, res.opted_out);
      if (el.isConnected) {
        el.replaceWith(next);
        next.querySelector('button').focus();
      }
    }
    return el;
  }

  // familyEditor edits up to MAX_FAMILY family contacts, who act for the
  // resident (子女代办) and get copies of the SMS.
  function familyEditor(list) {
    const rows = [];
    const box = h('div', { class: 'family' });
    const add = C.button('添加家属', () => {
      addRow({});
      rows[rows.length - 1].name.focus();
    });
    function addRow(m) {
      const n = rows.length + 1;
      const name = C.input({ maxlength: 20, value: m.name || '' });
      const relation = C.input({ maxlength: 10, value: m.relation || '', placeholder: '女儿、儿子…' });
      const phone = C.input({ type: 'tel', inputmode: 'tel', maxlength: 20, value: m.phone || '', required: true });
      const row = { name, relation, phone };
      const el = h('div', { class: 'grid-4 family-row' },
        C.field(`家属${n} 姓名`, name), C.field(`家属${n} 关系`, relation), C.field(`家属${n} 手机号`, phone),
        h('div', { class: 'field end' }, C.button('删除', () => {
          rows.splice(rows.indexOf(row), 1);
          el.remove();
          add.hidden = rows.length >= MAX_FAMILY;
          add.focus();
        }, { class: 'small', 'aria-label': `删除家属${n}` })));
      rows.push(row);
      box.append(el);
      add.hidden = rows.length >= MAX_FAMILY;
    }
    list.forEach(addRow);
    return {
      el: h('fieldset', {}, h('legend', {}, `家属联系人(最多${MAX_FAMILY}位,会收到通知短信的副本)`), box, h('p', {}, add)),
      read: () => rows.map((r) => ({ name: r.name.value.trim(), relation: r.relation.value.trim(), phone: r.phone.value.trim() })),
    };
  }
})(window.C);
