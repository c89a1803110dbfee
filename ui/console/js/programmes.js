'use strict';
// programmes.js: 托管: holiday childcare programmes by period, a form to
// create or change one, calling one off with a reason (every guardian
// enrolled is told by SMS), and a programme's enrolments: enrolling on
// behalf of a guardian who phoned, confirming an offer, cancelling.
(function (C) {
  const h = C.h;

  // The periods of the list, as GET /api/admin/programmes?when= takes them.
  const PERIODS = [['upcoming', '还没结束的'], ['past', '已经结束的'], ['cancelled', '已取消的']];

  // The programme statuses, in the words of enrolment rather than booking.
  const STATUS = { open: '开放报名', closed: '停止报名', cancelled: '已取消' };
  const STATUS_BADGE = { open: 'ok', closed: 'warn', cancelled: 'gone' };

  // MAX_CHILDREN is the API's limit of children in one enrolment.
  const MAX_CHILDREN = 5;

  // MAX_CAPACITY is the API's largest capacity, in children.
  const MAX_CAPACITY = 10000;

  // The period shown last, kept while the console is open.
  let period = 'upcoming';

  // ymdLabel is a date's day label, with its year when it is not this year.
  function ymdLabel(ymd) {
    const y = Number(String(ymd).slice(0, 4));
    return (y && y !== C.now().y ? `${y}年` : '') + C.dayLabel(ymd);
  }

  // programmeDates says when a programme runs: 1月18日 周一 至 2月5日 周五.
  C.programmeDates = (p) => (p.start_date === p.end_date ? ymdLabel(p.start_date) : `${ymdLabel(p.start_date)} 至 ${ymdLabel(p.end_date)}`);

  const ages = (p) => `${p.min_age}–${p.max_age} 岁`;
  const statusBadge = (p) => C.badge(STATUS[p.status] || p.status, STATUS_BADGE[p.status]);

  C.route('programmes', {
    title: '托管',
    async render(view, args, ctx) {
      if (args[0] === 'new') return form(view, ctx, null);
      const id = Number(args[0]) || 0;
      if (id && args[1] === 'edit') return form(view, ctx, id);
      if (id) return enrolmentsPage(view, ctx, id);
      return list(view, ctx);
    },
  });

  // list shows the programmes of the period chosen.
  async function list(view, ctx) {
    const when = C.select(PERIODS, { name: 'when', value: period });
    const body = h('div');
    async function load() {
      period = when.value;
      const { programmes } = await C.api('GET', `/api/admin/programmes?when=${encodeURIComponent(period)}`);
      if (!C.current(ctx.gen)) return;
      const caption = PERIODS.find((x) => x[0] === period)[1] + '托管项目';
      body.replaceChildren();
      C.append(body, [
        C.table([
          { label: '项目', cell: (p) => [h('strong', {}, p.title), p.partner ? h('span', { class: 'sub' }, p.partner) : null] },
          { label: '日期', cell: (p) => C.programmeDates(p) },
          { label: '地点', cell: (p) => p.place },
          { label: '年龄', cell: (p) => ages(p) },
          { label: '已报/名额', class: 'num', cell: (p) => `${p.taken} / ${p.capacity}` },
          { label: '候补', class: 'num', cell: (p) => String(p.waiting || 0) },
          { label: '状态', cell: (p) => statusBadge(p) },
          { label: '操作', cell: (p) => h('span', { class: 'row-actions' },
            p.status !== 'cancelled' ? C.link('修改', `#/programmes/${p.id}/edit`, { 'aria-label': `修改${p.title}` }) : null,
            C.link('报名名单', `#/programmes/${p.id}`, { 'aria-label': `${p.title}的报名名单` }),
            p.status !== 'cancelled' ? C.button('取消项目', () => cancelProgramme(p, load), { class: 'danger small', 'aria-label': `取消项目:${p.title}` }) : null) },
        ], programmes, { caption, empty: period === 'upcoming' ? '没有还没结束的托管项目。点“新建托管项目”添加。' : '没有这样的托管项目。' }),
      ]);
    }
    when.addEventListener('change', () => load().catch((e) => C.say(C.errorText(e), 'err')));
    view.append(
      h('p', { class: 'page-actions' }, C.link('新建托管项目', '#/programmes/new', { class: 'button primary' })),
      h('p', { class: 'hint' }, '寒暑假托管班:家长在自助机或打电话报名,按孩子人数占名额;满了以后排候补。'),
      h('div', { class: 'toolbar' }, C.field('显示', when)),
      body);
    await load();
  }

  // cancelProgramme asks for a reason and calls the programme off; then()
  // redraws what was shown.
  function cancelProgramme(p, then) {
    const reason = h('textarea', { rows: 3, maxlength: 100, required: true });
    const f = C.form({
      label: '确认取消项目', danger: true, name: '取消托管项目',
      submit: async () => {
        await C.api('POST', `/api/admin/programmes/${p.id}/cancel`, { reason: reason.value.trim() });
        d.close();
        C.say(`已取消“${p.title}”,报名的家长会收到取消短信。`);
        await then();
      },
    }, h('p', {}, `“${p.title}”(${C.programmeDates(p)})现在已报 ${p.taken} 个孩子,候补 ${p.waiting || 0} 户。取消后,所有报名都会取消,每位报名的家长都会收到短信通知。`),
    C.field('取消原因', reason, { hint: '记在每个报名的记录里,例如“场地维修”。' }));
    const d = C.dialog(`取消托管项目:${p.title}`, f);
    reason.focus();
  }

  // form shows the form to create a programme (id null) or change one.
  async function form(view, ctx, id) {
    const [places, partners, old] = await Promise.all([
      C.api('GET', '/api/places'),
      C.api('GET', '/api/admin/partners'),
      id ? C.api('GET', `/api/programmes/${id}`) : null,
    ]);
    if (!C.current(ctx.gen)) return;
    C.setTitle(ctx, old ? `修改托管项目:${old.title}` : '新建托管项目');
    if (old && old.status === 'cancelled') {
      view.append(h('p', { class: 'notice' }, '这个托管项目已经取消了,不能再修改。'), h('p', {}, C.link('返回托管列表', '#/programmes')));
      return;
    }
    const p = old || { title: '', description: '', place_id: places.places[0] ? places.places[0].id : 0, partner_id: 0,
      start_date: '', end_date: '', min_age: 3, max_age: 6, capacity: 20, status: 'open' };
    const title = C.input({ name: 'title', required: true, maxlength: 40, value: p.title });
    const desc = h('textarea', { name: 'description', rows: 3, maxlength: 500 });
    desc.value = p.description || '';
    const place = C.select(places.places.map((x) => [x.id, x.name]), { name: 'place', required: true, value: p.place_id });
    const partner = C.select([[0, '无']].concat(partners.partners.map((x) => [x.id, x.name])), { name: 'partner', value: p.partner_id || 0 });
    const start = C.input({ type: 'date', name: 'start_date', required: true, value: p.start_date });
    const end = C.input({ type: 'date', name: 'end_date', required: true, value: p.end_date });
    const age = (name, v) => C.input({ type: 'number', name, required: true, min: 0, max: 18, step: 1, inputmode: 'numeric', value: v });
    const minAge = age('min_age', p.min_age);
    const maxAge = age('max_age', p.max_age);
    const capacity = C.input({ type: 'number', name: 'capacity', required: true, min: old ? Math.max(1, old.taken) : 1, max: MAX_CAPACITY, step: 1, inputmode: 'numeric', value: p.capacity });
    const status = C.select([['open', STATUS.open], ['closed', STATUS.closed]], { name: 'status', value: p.status === 'closed' ? 'closed' : 'open' });

    const f = C.form({
      label: old ? '保存修改' : '创建托管项目', name: old ? '修改托管项目' : '新建托管项目',
      submit: async () => {
        const body = {
          title: title.value.trim(),
          // The API takes one line; line breaks typed here become spaces.
          description: desc.value.trim(),
          place_id: Number(place.value), partner_id: Number(partner.value) || 0,
          start_date: start.value, end_date: end.value,
          min_age: Number(minAge.value), max_age: Number(maxAge.value), capacity: Number(capacity.value),
          status: old ? status.value : 'open',
        };
        if (!body.place_id) throw C.invalid('请选择地点。');
        if (body.end_date < body.start_date) throw C.invalid('结束日期不能早于开始日期。');
        if (body.min_age > body.max_age) throw C.invalid('最小年龄不能大于最大年龄。');
        const saved = old ? await C.api('PUT', `/api/admin/programmes/${old.id}`, body) : await C.api('POST', '/api/admin/programmes', body);
        C.say(old ? `已保存“${saved.title}”。` : `已创建托管项目“${saved.title}”,共 ${saved.capacity} 个名额。`);
        C.go('#/programmes');
      },
      extra: C.link('返回托管列表', '#/programmes', { class: 'button' }),
    },
    places.places.length ? null : h('p', { class: 'notice' }, '还没有地点。请管理员先在“地点与小区”里添加。'),
    h('div', { class: 'grid-2' },
      C.field('项目名称', title, { hint: '最多40个字,例如“寒假托管班”。' }),
      C.field('地点', place),
      C.field('合作单位', partner, { hint: '提供托管的共建单位,可以不选。' }),
      old ? C.field('报名状态', status, { hint: '停止报名后,已报的孩子不受影响。' }) : null),
    h('div', { class: 'grid-4' },
      C.field('开始日期', start),
      C.field('结束日期', end),
      C.field('最小年龄(岁)', minAge),
      C.field('最大年龄(岁)', maxAge),
      C.field('名额(孩子人数)', capacity, { hint: old && old.taken ? `已报 ${old.taken} 个孩子,名额不能少于这个数。` : '一个孩子占一个名额。' })),
    C.field('项目介绍', desc, { wide: true, hint: '自助机上显示,最多500字。' }));
    view.append(f);
    if (old) view.append(h('p', { class: 'hint' }, '加了名额,候补的家长会按顺序收到短信。要取消整个项目,请在托管列表里点“取消项目”。'));
    title.focus();
  }

  // enrolmentsPage shows a programme, the form to enrol on a guardian's
  // behalf and the list of enrolments.
  async function enrolmentsPage(view, ctx, id) {
    let p = await C.api('GET', `/api/programmes/${id}`);
    if (!C.current(ctx.gen)) return;
    C.setTitle(ctx, `托管 · ${p.title}`);
    const summary = h('p', { class: 'summary' });
    const actions = h('p', { class: 'page-actions' });
    const enrolSec = C.section('代家长报名(电话报名)');
    const closedNote = h('p', { class: 'notice' });
    const filter = C.select([['live', '有效报名(含候补)'], ['all', '全部(含已取消)']], { value: 'live' });
    const listBody = h('div');
    let all = [];

    async function reload() {
      const [fresh, list] = await Promise.all([
        C.api('GET', `/api/programmes/${id}`),
        C.api('GET', `/api/admin/programmes/${id}/enrolments`),
      ]);
      if (!C.current(ctx.gen)) return;
      p = fresh;
      all = list.enrolments;
      summary.replaceChildren(`${C.programmeDates(p)} · ${p.place} · ${ages(p)} · 已报 ${p.taken} / ${p.capacity} 个孩子 · 候补 ${p.waiting || 0} 户 · `, statusBadge(p));
      actions.replaceChildren();
      C.append(actions, [
        p.status !== 'cancelled' ? C.link('修改项目', `#/programmes/${p.id}/edit`, { class: 'button' }) : null,
        p.status !== 'cancelled' ? C.button('取消项目', () => cancelProgramme(p, reload), { class: 'danger' }) : null,
        C.link('返回托管列表', '#/programmes')]);
      enrolSec.hidden = p.status !== 'open';
      closedNote.hidden = p.status === 'open';
      closedNote.textContent = p.status === 'cancelled' ? '这个项目已经取消了,不再接受报名。' : '这个项目已经停止报名。要重新开放,请点“修改项目”。';
      draw();
    }
    function draw() {
      const shown = filter.value === 'all' ? all : all.filter((e) => C.live(e.status));
      listBody.replaceChildren(enrolmentTable(shown, reload));
    }
    filter.addEventListener('change', draw);

    C.append(enrolSec, [enrolForm(p, reload)]);
    view.append(summary, actions, closedNote,
      enrolSec,
      C.section('报名名单', h('div', { class: 'toolbar' }, C.field('显示', filter), C.button('刷新', async () => {
        await reload();
        C.say('报名名单已刷新。');
      })), listBody));
    await reload();
  }

  // childrenText: 小明(5岁)、小红(4岁).
  const childrenText = (e) => e.children.map((c) => `${c.name || '(未填姓名)'}(${c.age}岁)`).join('、');

  // enrolmentTable lists enrolments with what staff can do to each.
  function enrolmentTable(list, reload) {
    return C.table([
      { label: '家长', cell: (e) => e.name || '(未留姓名)' },
      { label: '手机号', cell: (e) => (e.phone.includes('*') ? e.phone : C.link(e.phone, `#/residents/${e.phone}`, { 'aria-label': `居民 ${e.phone}` })) },
      { label: '孩子', cell: (e) => [childrenText(e), h('span', { class: 'sub' }, `共 ${e.children.length} 个`)] },
      { label: '状态', cell: (e) => [C.badge(C.label('booking', e.status), e.status),
        e.status === 'waitlisted' && e.position ? h('span', { class: 'sub' }, `第 ${e.position} 位`) : null,
        e.status === 'offered' && e.deadline ? h('span', { class: 'sub' }, `请在 ${C.when(e.deadline)} 前确认`) : null] },
      { label: '报名时间', cell: (e) => C.stamp(e.created_at) },
      { label: '操作', cell: (e) => enrolmentActions(e, reload) },
    ], list, { caption: '报名名单', empty: '还没有报名。' });
  }

  // enrolmentActions are the buttons of one enrolment, each named with the guardian.
  function enrolmentActions(e, reload) {
    const who = e.name || e.phone;
    const out = [];
    if (e.status === 'offered') {
      out.push(C.button('代为确认', async () => {
        await C.api('POST', `/api/admin/enrolments/${e.id}/confirm`, {});
        C.say(`已为 ${who} 确认报名。`);
        await reload();
      }, { class: 'small primary', 'aria-label': `代为确认:${who}` }));
    }
    if (C.live(e.status)) {
      out.push(C.button('取消报名', () => cancelEnrolment(e, reload), { class: 'small danger', 'aria-label': `取消报名:${who}` }));
    }
    return out.length ? h('span', { class: 'row-actions' }, out) : '';
  }

  // cancelEnrolment asks for a reason and cancels one enrolment.
  function cancelEnrolment(e, reload) {
    const who = e.name || e.phone;
    const reason = h('textarea', { rows: 2, maxlength: 100 });
    const freed = ['confirmed', 'offered'].includes(e.status) ? '空出的名额会按顺序让给候补的家长。' : '';
    const f = C.form({
      label: '取消这个报名', danger: true, name: '取消报名',
      submit: async () => {
        await C.api('POST', `/api/admin/enrolments/${e.id}/cancel`, { reason: reason.value.trim() || '工作人员取消' });
        d.close();
        C.say(`已取消 ${who} 的报名,家长会收到短信。`);
        await reload();
      },
    }, h('p', {}, `${e.name || ''} ${e.phone},${childrenText(e)}。${freed}`),
    C.field('原因', reason, { hint: '例如“家长来电取消”。' }));
    const d = C.dialog(`取消报名:${who}`, f);
    reason.focus();
  }

  // enrolForm is the form for a guardian who phoned: phone, name and 1 to
  // MAX_CHILDREN children with their ages.
  function enrolForm(p, reload) {
    let key = C.key('enrol');
    const phone = C.input({ type: 'tel', name: 'phone', required: true, inputmode: 'tel', autocomplete: 'off', maxlength: 20 });
    const name = C.input({ name: 'name', maxlength: 20, autocomplete: 'off' });
    const kids = childrenEditor(p);
    const result = h('div', { class: 'result', role: 'status' });
    const f = C.form({
      label: '报名', name: '代家长报名',
      submit: async () => {
        if (!C.phoneOK(phone.value)) throw C.invalid('手机号码不正确,请输入以1开头的11位手机号。');
        result.replaceChildren();
        const e = await C.api('POST', '/api/admin/enrolments', {
          programme_id: p.id, phone: C.phoneDigits(phone.value), name: name.value.trim(), children: kids.read(), idempotency_key: key,
        });
        key = C.key('enrol');
        const who = e.name || e.phone;
        if (e.existing) {
          result.replaceChildren(h('p', { class: 'notice' }, `这个手机号已经报名了这个项目,没有重复报名:${who},${childrenText(e)},${C.label('booking', e.status)}。`));
        } else if (e.status === 'waitlisted') {
          result.replaceChildren(h('p', { class: 'ok' }, `名额已满,已为 ${who} 排上候补(第 ${e.position || 1} 位)。有空位时会短信通知家长。`));
        } else {
          result.replaceChildren(h('p', { class: 'ok' }, `已为 ${who} 报名 ${e.children.length} 个孩子,报名成功。确认短信会发到 ${e.phone}。`));
        }
        f.reset(); // also forgets that the emptied fields were touched
        kids.reset();
        await reload();
        phone.focus();
      },
    },
    h('div', { class: 'grid-2' },
      C.field('家长手机号', phone, { hint: '短信通知发到这个号码。' }),
      C.field('家长姓名', name)),
    kids.el);
    return h('div', {}, f, result);
  }

  // childrenEditor edits the children of one enrolment: a name and an age
  // each, at least one and at most MAX_CHILDREN.
  function childrenEditor(p) {
    const rows = [];
    const box = h('div', { class: 'children' });
    const add = C.button('再加一个孩子', () => {
      addRow();
      rows[rows.length - 1].name.focus();
    });
    function renumber() {
      rows.forEach((r, i) => {
        r.nameLabel.firstChild.textContent = `孩子${i + 1} 姓名`;
        r.ageLabel.firstChild.textContent = `孩子${i + 1} 年龄`;
        r.del.setAttribute('aria-label', `删除孩子${i + 1}`);
        r.del.hidden = rows.length === 1;
      });
      add.hidden = rows.length >= MAX_CHILDREN;
    }
    function addRow() {
      const name = C.input({ name: 'child-name', required: true, maxlength: 20, autocomplete: 'off' });
      const age = C.input({ type: 'number', name: 'child-age', required: true, min: p.min_age, max: p.max_age, step: 1, inputmode: 'numeric' });
      const nameField = C.field('孩子 姓名', name);
      const ageField = C.field('孩子 年龄', age);
      const row = { name, age, nameLabel: nameField.querySelector('label'), ageLabel: ageField.querySelector('label') };
      row.del = C.button('删除', () => {
        rows.splice(rows.indexOf(row), 1);
        el.remove();
        renumber();
        add.focus();
      }, { class: 'small' });
      const el = h('div', { class: 'grid-3 child-row' }, nameField, ageField, h('div', { class: 'field end' }, row.del));
      rows.push(row);
      box.append(el);
      renumber();
    }
    addRow();
    return {
      el: h('fieldset', {}, h('legend', {}, `孩子(最多${MAX_CHILDREN}个,这个项目收${p.min_age}到${p.max_age}岁)`), box, h('p', {}, add)),
      read: () => rows.map((r) => ({ name: r.name.value.trim(), age: Number(r.age.value) })),
      reset() {
        while (rows.length > 1) {
          rows.pop();
          box.lastChild.remove();
        }
        renumber();
      },
    };
  }
})(window.C);
