'use strict';
// district.js: the district (街道): the community switcher at the top for
// staff who work for more than one community and for district admins,
// and the 街道 page with each community's figures for this week and this
// year and each partner's figures across the communities.
(function (C) {
  const h = C.h;

  // isDistrict reports whether the staff member is a district admin.
  C.isDistrict = () => !!(C.me && C.me.district);

  // communities returns the communities the staff member may switch to:
  // their memberships; a district admin's are every community (the
  // district's list when the memberships do not name them all).
  async function communities() {
    let list = (C.me.communities || []).map((m) => ({ id: m.community, name: m.name || `社区 ${m.community}` }));
    if (C.isDistrict()) {
      try {
        const all = await C.api('GET', '/api/district/communities');
        const rows = Array.isArray(all) ? all : all.communities || [];
        if (rows.length) list = rows.map((c) => ({ id: c.id, name: c.name || `社区 ${c.id}` }));
      } catch (e) {
        // The memberships will do.
      }
    }
    return list;
  }

  // showCommunity names the community acted in at the top of the page.
  function showCommunity(name) {
    if (!name) return;
    C.communityName = name;
    C.$('#community').textContent = name;
  }

  // switcher shows the community switcher when there is somewhere to
  // switch to; switching asks the server (POST /api/me/community), keeps
  // the answer's staff object and renders the page again with the new
  // community's data.
  C.switcher = async function () {
    const box = C.$('#switch');
    box.replaceChildren();
    box.hidden = true;
    for (const li of C.$$('[data-district]')) li.hidden = !C.isDistrict();
    let me = C.me;
    if (me && me.communities === undefined) {
      // The login's answer may leave the communities out: /api/me has them.
      const r = await C.api('GET', '/api/me');
      if (C.me !== me) return;
      me = C.me = Object.assign({}, me, r.staff);
    }
    for (const li of C.$$('[data-district]')) li.hidden = !C.isDistrict();
    if (!me || !(C.isDistrict() || (me.communities || []).length > 1)) return;
    const list = await communities();
    if (C.me !== me || list.length < 2) return;
    const current = me.community || 1;
    const sel = C.select(list.map((c) => [c.id, c.name]), { id: 'community-switch', value: current });
    const cur = list.find((c) => c.id === current);
    if (cur) showCommunity(cur.name);
    sel.addEventListener('change', async () => {
      const to = Number(sel.value);
      sel.disabled = true;
      try {
        const r = await C.api('POST', '/api/me/community', { community: to });
        C.me = Object.assign({}, C.me, r.staff || r);
        if (r.csrf_token) C.csrf = r.csrf_token;
        const c = list.find((x) => x.id === to);
        // Times are shown in the new community's zone (its own, or the
        // deployment's).
        await C.api('GET', '/api/community').then(Chorus.time.fromCommunity).catch(() => {});
        showCommunity(c && c.name);
        C.$('#me').textContent = `${C.me.name}(${C.label('role', C.me.role)})`;
        for (const li of C.$$('[data-admin]')) li.hidden = !C.isAdmin();
        C.say(`已切换到${c ? c.name : '社区'}。`);
        C.render();
      } catch (e) {
        sel.value = String(C.me.community || current);
        C.say(C.errorText(e), 'err');
      } finally {
        sel.disabled = false;
      }
    });
    box.append(h('label', { for: sel.id }, '社区'), sel);
    box.hidden = false;
  };

  // The figures of one period, a row per community.
  function figuresTable(caption, d) {
    const pct = (a, b) => (b ? `${Math.round((100 * a) / b)}%` : '');
    return C.table([
      { label: '社区', cell: (c) => h('strong', {}, c.name || `社区 ${c.id}`) },
      { label: '预约', class: 'num', cell: (c) => String(c.bookings) },
      { label: '到场', class: 'num', cell: (c) => [String(c.attended), h('span', { class: 'sub' }, pct(c.attended, c.bookings))] },
      { label: '未到', class: 'num', cell: (c) => String(c.no_shows) },
      { label: '派单', class: 'num', cell: (c) => String(c.orders) },
      { label: '接单', class: 'num', cell: (c) => String(c.orders_accepted) },
      { label: '接单用时(中位)', class: 'num', cell: (c) => (c.orders_accepted ? minutes(c.accept_minutes_median) : '') },
      { label: '短信发出', class: 'num', cell: (c) => String(c.sms_sent) },
      { label: '短信失败', class: 'num', cell: (c) => (c.sms_failed ? C.badge(String(c.sms_failed), 'alert') : '0') },
      { label: '自助机在线', class: 'num', cell: (c) => `${c.kiosks_online} / ${c.kiosks}` },
    ], d.communities, { caption, empty: '还没有社区。' });
  }

  // hours writes the hours a partner's venues were lent: 2, 1.5.
  function hours(x) {
    return x ? String(Math.round(x * 10) / 10) : '0';
  }

  function minutes(m) {
    if (m < 1) return `${Math.round(m * 60)} 秒`;
    if (m < 60) return `${Math.round(m)} 分钟`;
    return `${(m / 60).toFixed(1)} 小时`;
  }

  function span(d) {
    const md = (ymd) => `${Number(ymd.slice(5, 7))}月${Number(ymd.slice(8, 10))}日`;
    return `${md(d.from)}—${md(d.to)}`;
  }

  // The partners' figures across the communities (GET
  // /api/district/partners): shown when the server answers it.
  function partnersSection(year, d) {
    const n = (x, k) => (x && x[k] !== undefined ? String(x[k]) : '0');
    const names = [];
    for (const p of d.partners || []) {
      for (const c of p.communities || []) if (!names.some((x) => x.id === c.id)) names.push({ id: c.id, name: c.name });
    }
    names.sort((a, b) => a.id - b.id);
    const cols = [
      { label: '共建单位', cell: (p) => h('strong', {}, p.name) },
      { label: '派单合计', class: 'num', cell: (p) => n(p.total, 'orders') },
      { label: '接单合计', class: 'num', cell: (p) => n(p.total, 'accepted') },
      { label: '活动合计', class: 'num', cell: (p) => n(p.total, 'events') },
      { label: '授课', class: 'num', cell: (p) => n(p.total, 'classes') },
      { label: '学员', class: 'num', cell: (p) => n(p.total, 'students') },
      { label: '场地出借(小时)', class: 'num', cell: (p) => hours(p.total && p.total.venue_hours) },
      { label: '志愿者', class: 'num', cell: (p) => n(p.total, 'volunteers') },
      { label: '志愿服务人次', class: 'num', cell: (p) => n(p.total, 'volunteer_times') },
      { label: '志愿时长(小时)', class: 'num', cell: (p) => hours(p.total && p.total.volunteer_hours) },
    ];
    for (const c of names) {
      cols.push({
        label: c.name || `社区 ${c.id}`, class: 'num',
        cell: (p) => {
          const x = (p.communities || []).find((y) => y.id === c.id);
          return x ? `派${n(x, 'orders')} 接${n(x, 'accepted')}` : '';
        },
      });
    }
    return C.section(`${year}年共建单位`, h('p', { class: 'hint' }, '每个共建单位今年在各社区接的派单和办的活动,年终致谢用。'),
      C.table(cols, d.partners || [], { caption: `${year}年共建单位`, empty: '今年还没有共建单位的记录。' }));
  }

  // The district's communities, and the form that adds one (POST
  // /api/district/communities): its staff, estates and places are then
  // set up by switching to it.
  function communitiesSection(list) {
    const name = C.input({ name: 'name', required: true, maxlength: 40 });
    const sign = C.input({ name: 'sign_name', required: true, maxlength: 12 });
    const phone = C.input({ name: 'staff_phone', maxlength: 11, inputmode: 'numeric' });
    const f = C.form({
      label: '添加社区', name: '添加社区',
      submit: async () => {
        const body = { name: name.value.trim(), sign_name: sign.value.trim(), staff_phone: phone.value.trim() };
        if (list.some((c) => c.name === body.name)) throw C.invalid('已经有同名的社区了。');
        const c = await C.api('POST', '/api/district/communities', body);
        C.say(`已添加“${c.name}”。在页面顶部切换到它,再添加它的小区、地点和工作人员。`);
        C.me = Object.assign({}, C.me, { communities: undefined });
        C.switcher();
        C.render();
      },
    }, h('div', { class: 'grid-2' },
      C.field('社区名称', name, { hint: '例如“和泽苑社区”。' }),
      C.field('短信签名', sign, { hint: '在阿里云登记过的签名,短信开头的【】里就是它。' }),
      C.field('值班手机', phone, { hint: '可以不填:没有单位接单时提醒谁;不填用全街道的值班手机。' })));
    return C.section('社区',
      C.table([
        { label: '社区', cell: (c) => h('strong', {}, c.name || `社区 ${c.id}`) },
        { label: '短信签名', cell: (c) => (c.sign_name ? `【${c.sign_name}】` : '') },
        { label: '值班手机', cell: (c) => c.staff_phone || '用街道的' },
      ], list, { caption: '街道的社区', empty: '还没有社区。' }),
      h('h3', {}, '添加社区'), f);
  }

  C.route('district', {
    title: '街道',
    async render(view, args, ctx) {
      if (!C.isDistrict()) {
        view.append(h('p', { class: 'notice' }, '这一页只有街道管理员能用。'));
        return;
      }
      const year = C.today().slice(0, 4);
      const [week, all, partners, list] = await Promise.all([
        C.api('GET', '/api/district/figures?period=week'),
        C.api('GET', '/api/district/figures?period=year'),
        C.api('GET', `/api/district/partners?year=${year}`).catch(() => null),
        C.api('GET', '/api/district/communities'),
      ]);
      if (!C.current(ctx.gen)) return;
      view.append(...[
        h('p', { class: 'hint' }, '各社区的预约、到场、派单、短信和自助机。街道管理员可以在页面顶部切换到任一社区办理。'),
        C.section(`本周(${span(week)})`, figuresTable('本周各社区', week)),
        C.section(`今年(${year}年)`, figuresTable('今年各社区', all)),
        partners ? partnersSection(year, partners) : null,
        communitiesSection(Array.isArray(list) ? list : list.communities || []),
      ].filter(Boolean));
    },
  });
})(window.C);
