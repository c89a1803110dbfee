'use strict';
// bookings.js: 预约: an event's bookings; booking on behalf of a resident
// who phoned; search by phone or name; confirm, check in by hand, undo a
// check-in, cancel, move to another slot, send the check-in code again;
// the exports and the sign-in sheet.
(function (C) {
  const h = C.h;

  // The filters of the list.
  const FILTERS = [
    ['live', '有效预约(含候补)', (b) => C.live(b.status)],
    ['seat', '占座的(待签到和已签到)', (b) => ['pending', 'confirmed', 'offered', 'checked_in'].includes(b.status)],
    ['checked_in', '已签到', (b) => b.status === 'checked_in'],
    ['waitlisted', '候补中', (b) => b.status === 'waitlisted' || b.status === 'offered'],
    ['gone', '已取消和未到', (b) => !C.live(b.status)],
    ['all', '全部', () => true],
  ];

  C.route('bookings', {
    title: '预约',
    async render(view, args, ctx) {
      const events = await C.currentEvents();
      const id = Number(args[0]) || 0;
      const pick = C.select([[0, '请选择活动']].concat(events.map((e) => [e.id, `${e.title} · ${C.eventWhen(e)}`])), { value: id });
      if (id && !events.some((e) => e.id === id)) pick.append(h('option', { value: String(id) }, `活动 #${id}`));
      pick.value = String(id);
      const go = C.button('打开', () => C.go(`#/bookings/${pick.value}`));
      pick.addEventListener('change', () => {
        if (Number(pick.value)) C.go(`#/bookings/${pick.value}`);
      });
      view.append(h('div', { class: 'picker' }, C.field('活动', pick), go));
      if (!id) {
        view.append(h('p', { class: 'hint' }, '先选择一个活动,再查看预约名单、代居民预约或查找预约。'));
        return;
      }
      const ev = await C.api('GET', `/api/events/${id}`);
      C.setTitle(ctx, `预约 · ${ev.title}`);
      await eventBookings(view, ev, ctx);
    },
  });

  async function eventBookings(view, ev, ctx) {
    const summary = h('p', { class: 'summary' });
    const listSec = C.section('预约名单');
    const filter = C.select(FILTERS.map((f) => [f[0], f[1]]), { value: 'live' });
    const listBody = h('div');
    let all = [];

    async function reload() {
      const [list, a, fresh] = await Promise.all([
        C.api('GET', `/api/admin/events/${ev.id}/bookings`),
        C.api('GET', `/api/admin/events/${ev.id}/attendance`),
        C.api('GET', `/api/events/${ev.id}`),
      ]);
      if (!C.current(ctx.gen)) return;
      Object.assign(ev, fresh);
      all = list.bookings;
      summary.textContent = `${C.eventWhen(ev)} · ${ev.place} · ${C.label('event', ev.status)} · 已预约 ${a.booked} 人,已签到 ${a.checked_in} 人,还没到 ${a.not_yet} 人`;
      draw();
      bookForm.refreshSlots();
    }
    function draw() {
      const keep = FILTERS.find((f) => f[0] === filter.value)[2];
      listBody.replaceChildren(bookingTable(all.filter(keep), ev, reload, '预约名单'));
    }
    filter.addEventListener('change', draw);

    const bookForm = bookOnBehalf(ev, reload);
    const exports = h('p', { class: 'row-actions exports' },
      h('a', { href: `/api/admin/events/${ev.id}/bookings.csv`, download: '' }, '导出预约名单(CSV)'),
      h('a', { href: `/api/admin/events/${ev.id}/attendance.csv`, download: '' }, '导出签到情况(CSV)'),
      h('a', { href: `/staff/events/${ev.id}/signin`, target: '_blank', rel: 'noopener' }, '打印签到表(新窗口)'),
      C.link('现场签到', `#/checkin/${ev.id}`));
    C.append(listSec, [h('div', { class: 'toolbar' }, C.field('显示', filter), C.button('刷新', async () => {
      await reload();
      C.say('预约名单已刷新。');
    })), listBody]);
    view.append(summary, exports, C.section('代居民预约(电话预约)', bookForm.el), C.section('查找预约', search(ev, reload)), listSec);
    await reload();
  }

  // bookingTable lists bookings with what staff can do to each.
  function bookingTable(list, ev, reload, caption) {
    return C.table([
      { label: '时段', cell: (b) => C.span(b.slot_start, b.slot_end) },
      { label: '姓名', cell: (b) => b.name || '(未留姓名)' },
      { label: '手机号', cell: (b) => (b.phone.includes('*') ? b.phone : C.link(b.phone, `#/residents/${b.phone}`, { 'aria-label': `居民 ${b.phone}` })) },
      { label: '状态', cell: (b) => [C.badge(C.label('booking', b.status), b.status), b.position ? h('span', { class: 'sub' }, `第 ${b.position} 位`) : null] },
      { label: '签到码', class: 'code', cell: (b) => b.code },
      { label: '签到时间', cell: (b) => (b.checked_in_at ? C.stamp(b.checked_in_at) : '') },
      { label: '操作', cell: (b) => actions(b, ev, reload) },
    ], list, { caption, empty: '没有符合条件的预约。' });
  }

  // actions are the buttons of one booking, each named with the resident.
  function actions(b, ev, reload) {
    const who = b.name || b.phone;
    const out = [];
    const act = (label, fn, cls) => out.push(C.button(label, fn, { class: 'small' + (cls ? ' ' + cls : ''), 'aria-label': `${label}:${who}` }));
    if (['pending', 'confirmed', 'offered'].includes(b.status)) {
      act('签到', async () => {
        const r = await C.api('POST', '/api/admin/checkins', { event_id: ev.id, booking_id: b.id });
        C.say(r.message, r.outcome === 'ok' || r.outcome === 'already' ? '' : 'err');
        await reload();
      }, 'primary');
    }
    if (b.status === 'pending' || b.status === 'offered') act('确认', () => transition(b, 'confirmed', '工作人员确认', reload));
    if (b.status === 'checked_in') act('撤销签到', () => transition(b, 'confirmed', '撤销误签到', reload));
    // Freed seats go to the waitlist by themselves while the event takes
    // bookings; once it is closed (or for someone staff choose), by hand.
    if (b.status === 'waitlisted') {
      act('给名额', async () => {
        await C.api('POST', `/api/admin/bookings/${b.id}/transition`, { to: 'offered', reason: '工作人员让出名额' });
        C.say(`已把空出的名额给 ${who},居民会收到短信,回复1确认。`);
        await reload();
      });
    }
    // A waitlisted booking holds no seat to move: cancel it and book again.
    if (['pending', 'confirmed', 'offered'].includes(b.status)) act('改时段', () => moveDialog(b, ev, reload));
    if (['pending', 'confirmed', 'waitlisted', 'offered'].includes(b.status)) act('取消', () => cancelDialog(b, reload), 'danger');
    if (['pending', 'confirmed'].includes(b.status) && !b.phone.includes('*')) {
      act('重发签到码', async () => {
        await C.api('POST', `/api/bookings/${b.id}/resend-code`, { phone: b.phone });
        C.say(`已给 ${who} 重发签到码短信。`);
      });
    }
    return h('span', { class: 'row-actions' }, out);
  }

  async function transition(b, to, reason, reload) {
    await C.api('POST', `/api/admin/bookings/${b.id}/transition`, { to, reason });
    C.say(`${b.name || b.phone}:${C.label('booking', to)}。`);
    await reload();
  }

  function cancelDialog(b, reload) {
    const reason = h('textarea', { rows: 2, maxlength: 100 });
    const f = C.form({
      label: '取消这个预约', danger: true, name: '取消预约',
      submit: async () => {
        await C.api('POST', `/api/admin/bookings/${b.id}/transition`, { to: 'cancelled', reason: reason.value.trim() || '工作人员取消' });
        d.close();
        C.say(`已取消 ${b.name || b.phone} 的预约,居民会收到短信。`);
        await reload();
      },
    }, h('p', {}, `${b.name || ''} ${b.phone},${C.span(b.slot_start, b.slot_end)}。空出的名额会让给候补的第一位。`),
    C.field('原因', reason, { hint: '例如“居民来电取消”。' }));
    const d = C.dialog(`取消预约:${b.name || b.phone}`, f);
    reason.focus();
  }

  // moveDialog moves a booking to another slot of its event in one step:
  // it keeps its check-in code, and the resident gets an SMS with the new
  // time. A slot that filled up meanwhile is refused (409) with the
  // server's words.
  function moveDialog(b, ev, reload) {
    const open = ev.slots.filter((s) => s.id !== b.slot_id && s.open && s.seats_left > 0);
    if (!open.length) {
      C.say('这个活动没有别的有空位的时段了。', 'err');
      return;
    }
    const who = b.name || b.phone;
    const slot = C.select(open.map((s) => [s.id, `${C.span(s.start, s.end)} · 还剩 ${s.seats_left} 个`]), { name: 'slot', required: true });
    const reason = C.input({ name: 'reason', maxlength: 100, value: '居民要求改时段' });
    const f = C.form({
      label: '改到这个时段', name: '改时段',
      submit: async () => {
        let nb;
        try {
          nb = await C.api('POST', `/api/admin/bookings/${b.id}/move`, { slot_id: Number(slot.value), reason: reason.value.trim() || '改到其他时段' });
        } catch (e) {
          if (e.status === 409) reload().catch(() => {}); // the seats changed: show them as they are
          throw e;
        }
        d.close();
        C.say(`已把 ${who} 改到 ${C.span(nb.slot_start, nb.slot_end)},签到码不变(${nb.code}),居民会收到新时间的短信。`);
        await reload();
      },
    }, h('p', {}, `现在是 ${C.span(b.slot_start, b.slot_end)}。改到新时段后原来的名额会空出来,签到码不变,居民会收到一条写着新时间的短信。`),
    C.field('新时段', slot),
    C.field('原因', reason, { hint: '记在预约的记录里。' }));
    const d = C.dialog(`改时段:${who}`, f);
    slot.focus();
  }

  // bookOnBehalf is the form for a resident who phoned: slot, phone, name;
  // the booking is confirmed at once.
  function bookOnBehalf(ev, reload) {
    let key = C.key('book');
    const phone = C.input({ type: 'tel', name: 'phone', required: true, inputmode: 'tel', autocomplete: 'off', maxlength: 20 });
    const names = h('datalist', { id: C.uid('names') });
    const name = C.input({ name: 'name', maxlength: 20, list: names.id, autocomplete: 'off' });
    const slot = C.select([], { name: 'slot', required: true });
    const waitlist = C.check('约满时加入候补', { name: 'waitlist' });
    const result = h('div', { class: 'result', role: 'status' });
    phone.addEventListener('change', async () => {
      if (!C.phoneOK(phone.value)) return;
      try {
        const r = await C.api('GET', `/api/names?phone=${encodeURIComponent(C.phoneDigits(phone.value))}`);
        names.replaceChildren(...r.names.map((n) => h('option', { value: n })));
        if (!name.value && r.names.length === 1) name.value = r.names[0];
      } catch (e) {
        // Names are only a help.
      }
    });
    const f = C.form({
      label: '预约', name: '代居民预约',
      submit: async () => {
        if (!C.phoneOK(phone.value)) throw C.invalid('手机号码不正确,请输入以1开头的11位手机号。');
        if (!slot.value) throw C.invalid('请选择时段。');
        result.replaceChildren();
        const b = await C.api('POST', '/api/admin/bookings', {
          event_id: ev.id, slot_id: Number(slot.value), phone: phone.value.trim(), name: name.value.trim(),
          waitlist: C.box(waitlist).checked, idempotency_key: key,
        });
        key = C.key('book');
        const when = C.span(b.slot_start, b.slot_end);
        if (b.existing) {
          result.replaceChildren(h('p', { class: 'notice' }, `这个手机号已经有本活动的预约,没有重复预约:${b.name || ''} ${when},${C.label('booking', b.status)},签到码 ${b.code}。`));
        } else if (b.status === 'waitlisted') {
          result.replaceChildren(h('p', { class: 'ok' }, `已为 ${b.name || b.phone} 加入候补(${when},第 ${b.position || 1} 位)。有空位时会短信通知。`));
        } else {
          result.replaceChildren(h('p', { class: 'ok' }, `已为 ${b.name || b.phone} 预约 ${when},签到码 ${b.code}。确认短信会发到 ${b.phone}。`));
        }
        f.reset(); // also forgets that the emptied fields were touched
        names.replaceChildren();
        await reload();
        phone.focus();
      },
    },
    h('div', { class: 'grid-3' },
      C.field('手机号', phone, { hint: '居民来电的号码,也可以是家属代办的号码。' }),
      C.field('姓名', name, { hint: '输入手机号后会列出用过的姓名。' }),
      C.field('时段', slot)),
    ev.waitlist ? waitlist : null, names);
    return {
      el: h('div', {}, f, result),
      refreshSlots() {
        const keep = slot.value;
        slot.replaceChildren(h('option', { value: '' }, '请选择时段'),
          ...ev.slots.map((s) => {
            const can = s.open && (s.seats_left > 0 || ev.waitlist);
            const words = !s.open ? '已停止预约' : s.seats_left > 0 ? `还剩 ${s.seats_left} 个` : ev.waitlist ? `已约满,可候补(${s.waiting} 人在等)` : '已约满';
            return h('option', { value: String(s.id), disabled: !can }, `${C.span(s.start, s.end)} · ${words}`);
          }));
        slot.value = keep;
      },
    };
  }

  // search finds bookings by the last 4 digits of the phone or the name;
  // a whole phone number is looked up in the event's list.
  function search(ev, reload) {
    const q = C.input({ type: 'search', name: 'q', required: true, maxlength: 20 });
    const out = h('div', { class: 'results' });
    const f = C.form({
      label: '查找', name: '查找预约',
      submit: async () => {
        const text = q.value.trim();
        let list;
        if (C.phoneOK(text)) {
          const all = await C.api('GET', `/api/admin/events/${ev.id}/bookings`);
          list = all.bookings.filter((b) => b.phone === C.phoneDigits(text));
        } else {
          list = (await C.api('GET', `/api/admin/events/${ev.id}/search?q=${encodeURIComponent(text)}`)).bookings;
        }
        out.replaceChildren(h('p', { role: 'status' }, `找到 ${list.length} 个预约。`), bookingTable(list, ev, async () => {
          await reload();
          f.requestSubmit();
        }, '查找结果'));
      },
    }, C.field('手机号、后4位或姓名', q, { hint: '例如 5678、王 或 13812345678。' }));
    return h('div', {}, f, out);
  }
})(window.C);
