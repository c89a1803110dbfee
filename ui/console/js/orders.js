'use strict';
// orders.js: 派单: the dispatch board of home-service orders (requested,
// dispatched, accepted, done), each with its timeline; orders nobody took
// stand out; staff create orders for any need (a repair at night, medicine
// delivered) and cancel them.
(function (C) {
  const h = C.h;

  // How often the board reloads by itself, in milliseconds: partners
  // accept by SMS, which the live feed tells at once; the polls are the
  // fallback.
  const pollLive = 60000;
  const pollDown = 30000;

  // The board's columns; cancelled orders are listed apart.
  const COLUMNS = ['requested', 'dispatched', 'accepted', 'done'];

  // doneShown bounds the done column: the latest orders only.
  const doneShown = 20;

  // Actors in an order's timeline.
  function actorText(a) {
    if (!a) return '';
    if (a === 'resident') return '居民';
    if (a === 'system') return '系统';
    if (a === 'sms') return '短信';
    if (a.startsWith('staff:')) return '工作人员 ' + a.slice(6);
    if (a === 'staff') return '工作人员';
    if (a.startsWith('partner:')) return '共建单位 ' + a.slice(8);
    if (a.startsWith('kiosk:')) return '自助机 #' + a.slice(6);
    return a;
  }

  C.route('orders', {
    title: '派单',
    async render(view, args, ctx) {
      const board = h('div', { class: 'board' });
      const cancelled = h('div');
      const updated = h('span', { class: 'updated' });

      async function reload() {
        const { orders } = await C.api('GET', '/api/admin/orders');
        if (!C.current(ctx.gen)) return;
        board.replaceChildren(...COLUMNS.map((st) => {
          let list = orders.filter((o) => o.status === st);
          const more = st === 'done' && list.length > doneShown ? list.length - doneShown : 0;
          if (more) list = list.slice(0, doneShown);
          const id = C.uid('col');
          return h('section', { class: 'column col-' + st, 'aria-labelledby': id },
            h('h3', { id }, `${C.label('order', st)}(${orders.filter((o) => o.status === st).length})`),
            list.length ? h('ul', { class: 'cards' }, list.map((o) => card(o, reload))) : h('p', { class: 'empty' }, '没有。'),
            more ? h('p', { class: 'hint' }, `还有 ${more} 单更早完成的没有列出。`) : null);
        }));
        const gone = orders.filter((o) => o.status === 'cancelled');
        cancelled.replaceChildren(h('details', {}, h('summary', {}, `已取消的订单(${gone.length})`),
          gone.length ? h('ul', { class: 'cards' }, gone.map((o) => card(o, reload))) : h('p', { class: 'empty' }, '没有。')));
      }

      view.append(
        h('p', { class: 'page-actions' }, C.button('新建派单', () => createDialog(reload), { class: 'primary' }), C.link('共建单位和接单统计', '#/partners')),
        h('p', { class: 'refresh' }, updated),
        C.section('派单看板', board, cancelled));
      await C.fresh(ctx, { watch: ['orders'], load: reload, status: updated, pollLive, pollDown });
      if (args[0]) await detailDialog(Number(args[0]), reload);
    },
  });

  // card is one order on the board.
  function card(o, reload) {
    return h('li', { class: 'card' + (o.escalated && ['requested', 'dispatched'].includes(o.status) ? ' escalated' : '') },
      h('p', { class: 'card-head' }, h('strong', {}, `#${o.id} ${C.label('service', o.kind)}`), o.urgent ? C.badge('紧急', 'warn') : null,
        o.escalated && ['requested', 'dispatched'].includes(o.status) ? C.badge('无人接单,已通知值班电话', 'alert') : null,
        // Asked at a kiosk: dispatched only after the resident's reply 1.
        o.awaiting_reply ? C.badge('等居民回复1确认', 'warn') : null),
      h('p', {}, `${o.name || '(未留姓名)'} ${o.phone}`),
      o.address && o.address.estate ? h('p', {}, addressText(o.address)) : null,
      h('p', {}, `${C.dayLabel(o.day)} ${C.label('half', o.half_day)}`),
      o.partner ? h('p', {}, `接单:${o.partner}`) : o.status === 'dispatched' ? h('p', {}, `已派 ${o.wave} 轮`) : null,
      o.notes ? h('p', { class: 'sub' }, `备注:${o.notes}`) : null,
      C.button('详情', () => detailDialog(o.id, reload), { class: 'small', 'aria-label': `订单 #${o.id} 的详情` }));
  }

  // addressText renders an address as people write it.
  function addressText(a) {
    return `${a.estate || ''}${a.building ? a.building + '号楼' : ''}${a.unit ? a.unit + '单元' : ''}${a.room || ''}`;
  }
  C.addressText = addressText;

  // detailDialog shows an order with its timeline, and cancels it.
  async function detailDialog(id, reload) {
    const { order: o, timeline } = await C.api('GET', `/api/admin/orders/${id}`);
    const items = timeline.map((t) => h('li', {}, h('span', { class: 'when' }, C.when(t.at)), ' ',
      h('strong', {}, C.label('order', t.status)), ` · ${actorText(t.actor)}`, t.note ? ` · ${t.note}` : ''));
    const parts = [
      h('dl', { class: 'facts' },
        h('dt', {}, '状态'), h('dd', {}, C.label('order', o.status), o.escalated ? '(曾无人接单,已通知值班电话)' : '',
          o.awaiting_reply ? '(在自助机申请,等居民回复1确认后派单)' : ''),
        h('dt', {}, '居民'), h('dd', {}, `${o.name || ''} `, C.link(o.phone, `#/residents/${o.phone}`)),
        h('dt', {}, '地址'), h('dd', {}, addressText(o.address || {}) || '未填写'),
        h('dt', {}, '时间'), h('dd', {}, `${C.dayLabel(o.day)} ${C.label('half', o.half_day)}`),
        h('dt', {}, '接单单位'), h('dd', {}, o.partner || '还没有'),
        o.notes ? [h('dt', {}, '备注'), h('dd', {}, o.notes)] : null),
      h('h3', {}, '经过'), h('ol', { class: 'timeline' }, items),
    ];
    if (o.awaiting_reply) {
      // The resident asked at a kiosk and has not replied 1 (no SMS, an
      // opted-out phone, cannot reply): staff who confirmed it with the
      // resident by telephone send it to the partners themselves.
      const f = C.form({
        label: '已电话核实,派单', name: '电话核实后派单',
        submit: async () => {
          await C.api('POST', `/api/admin/orders/${o.id}/confirm`);
          d.close();
          C.say(`订单 #${o.id} 已派单。`);
          await reload();
        },
      }, h('p', {}, '先给居民打电话,核实是本人申请、时间和地址都对,再派单。'));
      parts.push(h('h3', {}, '电话核实'), f);
    }
    if (['requested', 'dispatched', 'accepted'].includes(o.status)) parts.push(await answerForm(o, () => d, reload));
    if (['requested', 'dispatched', 'accepted'].includes(o.status)) {
      const note = C.input({ maxlength: 100 });
      const f = C.form({
        label: '取消订单', danger: true, name: '取消订单',
        submit: async () => {
          await C.api('POST', `/api/admin/orders/${o.id}/cancel`, { note: note.value.trim() || '工作人员取消' });
          d.close();
          C.say(`已取消订单 #${o.id}。`);
          await reload();
        },
      }, C.field('取消原因', note));
      parts.push(h('h3', {}, '取消'), f);
    }
    const d = C.dialog(`订单 #${o.id} ${C.label('service', o.kind)}`, parts);
    return d;
  }

  // answerForm records what a partner said on the telephone instead of
  // by SMS (a barber with a feature phone calls the desk): 接单 while the
  // order waits, 完成 or 退单 once it is taken. It goes as the SMS reply
  // would: the resident is told who comes, the other partners that it is
  // taken.
  async function answerForm(o, dialog, reload) {
    const { partners } = await C.api('GET', '/api/admin/partners');
    const taking = o.status !== 'accepted';
    const able = partners.filter((p) => p.active && (p.services || []).includes(o.kind));
    const list = taking ? able : partners.filter((p) => p.id === o.partner_id);
    const who = C.select((taking ? [['', '请选择单位']] : []).concat(list.map((p) => [p.id, p.name])),
      { name: 'partner', required: true, value: taking ? '' : o.partner_id });
    const intent = C.select(taking ? [['accept', '接单']] : [['done', '已经做完了(完成)'], ['give_back', '做不了,退单']], { name: 'intent' });
    const f = C.form({
      label: '登记', name: '登记共建单位的电话',
      submit: async () => {
        const n = await C.api('POST', `/api/admin/orders/${o.id}/answer`, { partner_id: Number(who.value), intent: intent.value });
        dialog().close();
        const said = intent.value === 'accept' ? `${n.partner}接了订单 #${o.id},居民会收到短信` : intent.value === 'done' ? `订单 #${o.id} 已完成` : `订单 #${o.id} 已退回,重新派单`;
        C.say(`已登记:${said}。`);
        await reload();
      },
    }, h('p', { class: 'hint' }, '共建单位没有回短信、而是打电话来时,在这里替他登记。'),
    h('div', { class: 'grid-2' }, C.field('打电话的单位', who), C.field('他说', intent)));
    if (!list.length) return [h('h3', {}, '电话登记'), h('p', { class: 'empty' }, '没有承接这项服务的共建单位。')];
    return [h('h3', {}, '电话登记'), f];
  }

  // createDialog makes an order staff dispatch at once.
  async function createDialog(reload) {
    const { estates } = await C.api('GET', '/api/estates');
    const kind = C.select([['repair', '上门维修'], ['medicine', '送药上门'], ['haircut', '上门理发']], { name: 'kind' });
    const urgent = C.check('紧急(等待接单的时间更短)', { name: 'urgent' });
    const phone = C.input({ type: 'tel', name: 'phone', inputmode: 'tel', required: true, maxlength: 20 });
    const name = C.input({ name: 'name', maxlength: 20 });
    const estate = C.select([['', '请选择小区']].concat(estates.map((e) => [e.id, e.name])), { name: 'estate', required: true });
    const building = C.input({ name: 'building', maxlength: 10 });
    const unit = C.input({ name: 'unit', maxlength: 10 });
    const room = C.input({ name: 'room', maxlength: 10 });
    const day = C.input({ type: 'date', name: 'day', required: true, value: C.today(), min: C.today(), max: C.ymdAdd(C.today(), 30) });
    const half = C.select([['am', '上午'], ['pm', '下午']], { name: 'half', value: C.now().hh < 12 ? 'am' : 'pm' });
    const notes = h('textarea', { name: 'notes', rows: 2, maxlength: 100 });
    const addrNote = h('p', { class: 'hint', role: 'status' });
    // The address on file fills the address fields, which staff may change.
    phone.addEventListener('change', async () => {
      if (!C.phoneOK(phone.value)) return;
      try {
        const [addr, names] = await Promise.all([
          C.api('GET', `/api/address?phone=${encodeURIComponent(C.phoneDigits(phone.value))}`),
          C.api('GET', `/api/names?phone=${encodeURIComponent(C.phoneDigits(phone.value))}`),
        ]);
        if (!name.value && names.names.length) name.value = names.names[0];
        const a = addr.address;
        if (a && !estate.value) {
          estate.value = String(a.estate_id);
          building.value = a.building || '';
          unit.value = a.unit || '';
          room.value = a.room || '';
          addrNote.textContent = `已填入档案里的地址:${a.text}。`;
        }
      } catch (e) {
        // The address on file is only a help.
      }
    });
    const f = C.form({
      label: '派单', name: '新建派单',
      submit: async () => {
        if (!C.phoneOK(phone.value)) throw C.invalid('手机号码不正确,请输入以1开头的11位手机号。');
        const body = {
          kind: kind.value, urgent: C.box(urgent).checked, phone: phone.value.trim(), name: name.value.trim(),
          day: day.value, half_day: half.value, notes: notes.value.trim(), idempotency_key: C.key('order'),
        };
        body.address = { estate_id: Number(estate.value), building: building.value.trim(), unit: unit.value.trim(), room: room.value.trim() };
        const o = await C.api('POST', '/api/admin/orders', body);
        d.close();
        C.say(`已新建订单 #${o.id}(${C.label('service', o.kind)}),${C.label('order', o.status)}。`);
        await reload();
      },
    },
    h('div', { class: 'grid-2' }, C.field('服务', kind), urgent),
    h('div', { class: 'grid-2' }, C.field('居民手机号', phone), C.field('居民姓名', name)),
    h('fieldset', {}, h('legend', {}, '上门地址(输入手机号后会填入档案里的地址)'),
      h('div', { class: 'grid-4' }, C.field('小区', estate), C.field('楼号', building), C.field('单元', unit), C.field('室', room)), addrNote),
    h('div', { class: 'grid-2' }, C.field('日期', day), C.field('上午或下午', half)),
    C.field('备注', notes, { wide: true, hint: '例如“厨房水管漏水”“降压药两盒”。' }));
    const d = C.dialog('新建派单', f);
    kind.focus();
  }
})(window.C);
