'use strict';
// staff.js: 工作人员 (admins only): the accounts, adding one, disabling and
// enabling, resetting a password; and the audit log of who changed what.
(function (C) {
  const h = C.h;

  // What the audit log's actions mean, by route pattern.
  const ACTIONS = {
    'POST /api/login': '登录',
    'POST /api/me/community': '切换社区', 'POST /api/district/communities': '添加社区',
    'PUT /api/district/communities/{id}': '修改社区',
    'POST /api/admin/events': '新建活动', 'PUT /api/admin/events/{id}': '修改活动', 'POST /api/admin/events/{id}/cancel': '取消活动',
    'POST /api/admin/bookings': '代居民预约', 'POST /api/admin/bookings/{id}/transition': '改预约状态', 'POST /api/admin/checkins': '现场签到',
    'POST /api/admin/bookings/{id}/move': '改时段',
    'POST /api/bookings/{id}/resend-code': '重发签到码',
    'POST /api/admin/orders': '新建派单', 'POST /api/admin/orders/{id}/cancel': '取消订单',
    'POST /api/admin/orders/{id}/answer': '代共建单位登记接单或完成',
    'POST /api/admin/orders/{id}/confirm': '电话核实后派单',
    'PUT /api/admin/residents/{phone}': '修改居民信息', 'PUT /api/admin/residents/{phone}/optout': '短信退订或恢复',
    'POST /api/admin/messages/{id}/resend': '重发短信', 'POST /api/admin/inbox/{id}/settle': '处理短信回复',
    'POST /api/admin/partners': '添加共建单位', 'PUT /api/admin/partners/{id}': '修改共建单位',
    'POST /api/admin/partners/link': '添加其他社区已有的共建单位',
    'PUT /api/admin/venues/{id}': '设置场馆', 'POST /api/admin/venues/{id}/closures': '关闭场馆',
    'DELETE /api/admin/venues/closures/{id}': '取消场馆关闭', 'POST /api/admin/venue-requests/{id}/answer': '登记单位对借用申请的电话答复',
    'POST /api/admin/places': '添加地点', 'PUT /api/admin/places/{id}': '修改地点',
    'POST /api/admin/estates': '添加小区', 'PUT /api/admin/estates/{id}': '修改小区',
    'POST /api/admin/programmes': '新建托管班', 'PUT /api/admin/programmes/{id}': '修改托管班', 'POST /api/admin/programmes/{id}/cancel': '取消托管班',
    'POST /api/admin/classes': '新建课程', 'PUT /api/admin/classes/{id}': '修改课程', 'POST /api/admin/classes/{id}/cancel-session': '课程停课',
    'POST /api/admin/classes/{id}/enrolments': '代居民报名课程', 'POST /api/admin/classes/{id}/attendance': '课程点名',
    'POST /api/admin/holidays': '导入节假日', 'PUT /api/admin/holidays/{date}': '修改节假日',
    'DELETE /api/admin/holidays/{date}': '删除节假日',
    'POST /api/admin/classes/{id}/checkin': '课程签到', 'POST /api/admin/classes/{id}/sessions': '课程补课',
    'POST /api/admin/enrolments': '代家长报名', 'POST /api/admin/enrolments/{id}/cancel': '取消报名', 'POST /api/admin/enrolments/{id}/confirm': '代为确认候补',
    'POST /api/admin/kiosks': '添加自助机', 'PUT /api/admin/kiosks/{id}': '自助机改名', 'POST /api/admin/kiosks/{id}/pairing': '自助机配对码',
    'POST /api/admin/kiosks/{id}/revoke': '停用自助机', 'PUT /api/admin/kiosks/{id}/mode': '自助机模式', 'PUT /api/admin/kiosks/{id}/settings': '自助机显示设置',
    'POST /api/admin/kiosks/{id}/reload': '自助机重新加载', 'POST /api/admin/announcements': '发通知',
    'POST /api/admin/staff': '添加工作人员', 'PUT /api/admin/staff/{id}': '修改工作人员', 'DELETE /api/admin/staff/{id}/community': '移出本社区',
    'POST /api/admin/throttles/lift': '解除登录限制',
    'POST /api/admin/volunteers': '登记志愿者', 'PUT /api/admin/volunteers/{id}': '修改志愿者',
    'POST /api/admin/volunteer-activities': '新建志愿活动', 'PUT /api/admin/volunteer-activities/{id}': '修改志愿活动',
    'POST /api/admin/volunteer-activities/{id}/shifts': '添加志愿班次', 'POST /api/admin/shifts/{id}/signups': '代志愿者报名',
    'POST /api/admin/shifts/{id}/callout': '短信招募志愿者', 'POST /api/admin/shifts/{id}/presence': '志愿者签到签退',
    'POST /api/admin/signups/{id}/cancel': '取消志愿报名', 'PUT /api/admin/signups/{id}/presence': '补登志愿者签到签退',
    'POST /api/admin/hours/{id}/decide': '确认服务时长', 'POST /api/admin/hours/{id}/correct': '更正服务时长',
    // The time bank (时间银行, issue 20).
    'POST /api/help-requests': '代居民求助', 'POST /api/admin/help-requests/{id}/complete': '登记求助服务时长',
    'POST /api/admin/help-requests/{id}/confirm': '确认求助服务时长', 'POST /api/admin/help-requests/{id}/approve': '批准时间池代付或透支',
    'POST /api/admin/help-requests/{id}/cancel': '取消求助', 'POST /api/admin/bank/accounts/{id}/code': '发时间转出验证码',
    'POST /api/admin/bank/transfers/{id}/reverse': '时间银行冲正', 'POST /api/admin/bank/gifts': '时间赠与或捐赠',
    'POST /api/admin/bank/grants': '时间池拨付', 'PUT /api/admin/bank/rules': '修改时间银行规则',
    'PUT /api/admin/residents/{phone}/birth-year': '登记居民出生年份',
  };

  C.route('staff', {
    title: '工作人员',
    admin: true,
    async render(view, args, ctx) {
      const [{ staff }, { audit }, { throttles }] = await Promise.all([C.api('GET', '/api/admin/staff'), C.api('GET', '/api/admin/audit'),
        C.api('GET', '/api/admin/throttles')]);
      if (!C.current(ctx.gen)) return;
      const reload = () => C.render();
      view.append(
        C.section('账号', C.table([
          { label: '用户名', cell: (s) => s.username },
          { label: '姓名', cell: (s) => s.name },
          { label: '角色', cell: (s) => C.label('role', s.role) },
          { label: '状态', cell: (s) => (s.disabled ? C.badge('已停用', 'gone') : C.badge('可以登录', 'ok')) },
          { label: '操作', cell: (s) => actions(s, reload) },
        ], staff, { caption: '工作人员账号' })),
        C.section('添加工作人员', addForm(reload)),
        C.section('登录限制', h('p', { class: 'hint' }, '密码错了几次以后,这个用户名或地址要等一会儿才能再试,次数越多等得越久。本人在常用的电脑或手机上不受影响。确认是本人后可以马上解除。'),
          C.table([
            { label: '用户名或地址', cell: (t) => t.username || t.addr },
            { label: '错误次数', cell: (t) => String(t.failures) },
            { label: '要等到', cell: (t) => C.when(t.until) },
            { label: '操作', cell: (t) => C.button('解除', async () => {
              await C.api('POST', '/api/admin/throttles/lift', t.username ? { username: t.username } : { addr: t.addr });
              C.say(`已解除 ${t.username || t.addr} 的登录限制。`);
              reload();
            }, { class: 'small', 'aria-label': `解除${t.username || t.addr}的登录限制` }) },
          ], throttles, { caption: '登录限制', empty: '现在没有被限制的用户名或地址。' })),
        C.section('操作记录', h('p', { class: 'hint' }, `最近 ${audit.length} 条:谁在什么时候改了什么。`), C.table([
          { label: '时间', cell: (a) => C.when(a.at) },
          { label: '人员', cell: (a) => a.username },
          { label: '操作', cell: (a) => ACTIONS[a.action] || a.action },
          { label: '详情', cell: (a) => change(a) },
        ], audit, { caption: '操作记录', empty: '还没有操作记录。' })));
    },
  });

  // change shows an entry's path and, when kept, its values before and after.
  function change(a) {
    const out = [h('code', {}, a.detail)];
    if (a.before) out.push(h('div', { class: 'audit-before' }, '改前:', h('code', {}, a.before)));
    if (a.after) out.push(h('div', { class: 'audit-after' }, '改后:', h('code', {}, a.after)));
    return h('div', {}, out);
  }

  function actions(s, reload) {
    const out = [];
    const me = C.me && C.me.id === s.id;
    const put = (body, password) => C.api('PUT', `/api/admin/staff/${s.id}`, Object.assign({ username: s.username, name: s.name, role: s.role, disabled: s.disabled }, body, password ? { password } : {}));
    out.push(C.button('修改', () => editDialog(s, put, reload), { class: 'small', 'aria-label': `修改${s.name}` }));
    if (!me) {
      out.push(C.button(s.disabled ? '启用' : '停用', async () => {
        if (!s.disabled && !(await C.confirm(`停用 ${s.name} 的账号?`, '停用后马上退出登录,不能再登录,直到重新启用。', '停用', true))) return;
        await put({ disabled: !s.disabled });
        C.say(`${s.name} 的账号已${s.disabled ? '启用' : '停用'}。`);
        reload();
      }, { class: 'small' + (s.disabled ? '' : ' danger'), 'aria-label': `${s.disabled ? '启用' : '停用'}${s.name}` }));
    }
    if (!me && !s.district && s.role) {
      // Out of this community only: the account keeps the others it works for.
      const here = C.communityName || '本社区';
      out.push(C.button('移出本社区', async () => {
        if (!(await C.confirm(`把 ${s.name} 移出${here}?`, `${s.name} 马上退出${here},不能再处理${here}的事;在别的社区的工作不受影响。`, '移出', true))) return;
        await C.api('DELETE', `/api/admin/staff/${s.id}/community`);
        C.say(`已把 ${s.name} 移出${here}。`);
        reload();
      }, { class: 'small danger', 'aria-label': `把${s.name}移出本社区` }));
    }
    return h('span', { class: 'row-actions' }, out);
  }

  function editDialog(s, put, reload) {
    const me = C.me && C.me.id === s.id;
    const name = C.input({ required: true, maxlength: 20, value: s.name });
    const role = C.select([['staff', '工作人员'], ['admin', '管理员']], { value: s.role, disabled: me });
    const pass = C.input({ type: 'password', autocomplete: 'new-password', minlength: 8, maxlength: 72 });
    const f = C.form({
      label: '保存', name: '修改工作人员',
      submit: async () => {
        await put({ name: name.value.trim(), role: role.value }, pass.value);
        d.close();
        C.say(pass.value ? `已保存,${s.name} 需要用新密码重新登录。` : '已保存。');
        reload();
      },
    }, C.field('姓名', name), C.field('角色', role, { hint: me ? '不能取消自己的管理员身份。' : '管理员还能管理地点、共建单位、自助机配对和账号。' }),
    C.field('新密码', pass, { hint: '不改密码就空着;至少8位。改了密码,这个账号要重新登录。' }));
    const d = C.dialog(`修改:${s.name}(${s.username})`, f);
    name.focus();
  }

  function addForm(reload) {
    const username = C.input({ required: true, maxlength: 32, pattern: '[a-z][a-z0-9_.\\-]{1,31}', autocapitalize: 'none', spellcheck: 'false', autocomplete: 'off', title: '用户名要以小写字母开头,只用小写字母、数字和 _ . -,2到32位。' });
    const name = C.input({ required: true, maxlength: 20 });
    const role = C.select([['staff', '工作人员'], ['admin', '管理员']]);
    const pass = C.input({ type: 'password', required: true, minlength: 8, maxlength: 72, autocomplete: 'new-password' });
    const f = C.form({
      label: '添加', name: '添加工作人员',
      submit: async () => {
        const s = await C.api('POST', '/api/admin/staff', { username: username.value.trim(), name: name.value.trim(), role: role.value, password: pass.value });
        C.say(`已添加 ${s.name}(${s.username}),请把初始密码当面告诉本人。`);
        reload();
      },
    }, h('div', { class: 'grid-2' },
      C.field('用户名', username, { hint: '小写字母开头,例如 liting。' }), C.field('姓名', name),
      C.field('角色', role), C.field('初始密码', pass, { hint: '至少8位。' })));
    return f;
  }
})(window.C);
