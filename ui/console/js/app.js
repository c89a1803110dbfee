'use strict';
// app.js: the console's shell: logging in and out, the menu, and the
// router that shows one page per hash route (#/today, #/events/12, …).
(function (C) {
  const h = C.h;
  let gen = 0; // counts renders; a page's late work checks it
  let timers = [];
  let leaving = []; // what the page shown asked to run when it goes
  let booted = false;

  // route registers a page: title, render(view, args) and admin (admins only).
  C.route = (name, def) => {
    C.routes[name] = def;
  };

  // every runs fn every ms while the current page is shown and the tab is
  // visible.
  C.every = function (ms, fn) {
    const mine = gen;
    const t = setInterval(() => {
      if (mine !== gen) return clearInterval(t);
      if (!document.hidden) fn();
    }, ms);
    timers.push(t);
  };

  // current reports whether a render is still the one shown.
  C.current = (g) => g === gen;

  // onLeave runs fn when the page of render g is no longer shown (another
  // route, the same one rendered again, logging out): closing a socket,
  // clearing a timer. A render already replaced runs fn at once.
  C.onLeave = function (fn, g) {
    if (g !== undefined && g !== gen) fn();
    else leaving.push(fn);
  };

  // leave ends the page shown: its renders turn stale, its timers stop and
  // what it registered with onLeave runs.
  function leave() {
    gen++;
    timers.forEach(clearInterval);
    timers = [];
    const fns = leaving;
    leaving = [];
    for (const fn of fns) {
      try {
        fn();
      } catch (e) {
        // One page's cleanup must not stop the next page.
      }
    }
  }

  // go shows a route, rendering it again when it is already shown.
  C.go = (hash) => {
    if (location.hash === hash) C.render();
    else location.hash = hash;
  };

  // isAdmin reports whether the staff member logged in is an admin.
  C.isAdmin = () => !!(C.me && C.me.role === 'admin');

  // parseRoute reads the page and its arguments from the URL: #/name/a/b.
  function parseRoute() {
    const hash = location.hash;
    if (hash.startsWith('#/')) {
      const [name, ...args] = hash.slice(2).split('/').map((x) => decodeURIComponent(x));
      return { name: name || 'today', args };
    }
    return { name: 'today', args: [] };
  }

  // render shows the page of the current route.
  C.render = async function () {
    if (!C.me) return;
    leave();
    C.closeDialog();
    const r = parseRoute();
    let page = C.routes[r.name];
    if (!page) {
      r.name = 'today';
      page = C.routes.today;
    }
    for (const a of C.$$('#nav a')) {
      if (a.dataset.route === r.name) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    closeMenu();
    const main = C.$('#main');
    const title = h('h1', { id: 'page-title', tabindex: '-1' }, page.title);
    const view = h('div', { class: 'view' });
    main.replaceChildren(title, view);
    document.title = `${page.title} - ${C.communityName || '社区'}工作台`;
    if (booted) title.focus();
    booted = true;
    if (page.admin && !C.isAdmin()) {
      view.append(h('p', { class: 'notice' }, '这一页只有管理员能用。'));
      return;
    }
    try {
      await page.render(view, r.args, { gen, title });
    } catch (e) {
      if (e.status === 401) return;
      view.append(h('p', { class: 'form-error', role: 'alert' }, C.errorText(e)));
    }
  };

  // setTitle changes a page's heading and the document's title.
  C.setTitle = function (ctx, text) {
    ctx.title.textContent = text;
    document.title = `${text} - ${C.communityName || '社区'}工作台`;
  };

  // ---- the menu on a phone ----

  function closeMenu() {
    const b = C.$('#menu');
    if (b.getAttribute('aria-expanded') === 'true') {
      b.setAttribute('aria-expanded', 'false');
      C.$('#nav').classList.remove('open');
    }
  }

  function toggleMenu() {
    const b = C.$('#menu');
    const open = b.getAttribute('aria-expanded') !== 'true';
    b.setAttribute('aria-expanded', String(open));
    C.$('#nav').classList.toggle('open', open);
    if (open) C.$('#nav a').focus();
  }

  // ---- logging in and out ----

  // signedIn keeps the session's staff member and CSRF token and shows the
  // console.
  function signedIn(r) {
    C.me = r.staff;
    C.csrf = r.csrf_token;
    C.$('#me').textContent = `${C.me.name}(${C.label('role', C.me.role)})`;
    C.$('#who').hidden = false;
    C.$('#nav').hidden = false;
    C.$('#menu').hidden = false;
    for (const li of C.$$('[data-admin]')) li.hidden = !C.isAdmin();
    if (C.switcher) C.switcher().catch(() => {});
    C.render();
  }

  // showLogin shows the login form; message explains why (a lapsed session).
  function showLogin(message) {
    C.me = null;
    C.csrf = '';
    leave();
    C.closeDialog();
    C.$('#who').hidden = true;
    C.$('#switch').hidden = true;
    C.$('#nav').hidden = true;
    C.$('#menu').hidden = true;
    document.title = `登录 - ${C.communityName || '社区'}工作台`;
    const user = C.input({ name: 'username', autocomplete: 'username', required: true, autocapitalize: 'none', spellcheck: 'false', maxlength: 64 });
    const pass = C.input({ type: 'password', name: 'password', autocomplete: 'current-password', required: true, maxlength: 200 });
    const f = C.form({
      label: '登录', name: '登录', class: 'login',
      submit: async () => {
        const r = await C.api('POST', '/api/login', { username: user.value.trim(), password: pass.value });
        pass.value = '';
        signedIn(r);
      },
    }, C.field('用户名', user), C.field('密码', pass));
    const h1 = h('h1', { id: 'page-title', tabindex: '-1' }, '工作人员登录');
    const intro = h('p', {}, '请用您的工作人员账号登录。忘记密码请找管理员重设。');
    C.$('#main').replaceChildren(h('div', { class: 'login-box' }, h1, intro, f));
    if (message) f.showError(message);
    user.focus();
  }

  // sessionLost returns to the login form when the server no longer knows
  // the session; the page shown comes back after logging in.
  C.sessionLost = () => showLogin('登录已过期,请重新登录。');

  async function logout() {
    try {
      await C.api('POST', '/api/logout', {});
    } catch (e) {
      // The cookie is cleared or gone either way.
    }
    showLogin('');
    C.say('已退出登录。');
  }

  // ---- start ----

  C.start = async function () {
    C.$('#skip').addEventListener('click', (ev) => {
      ev.preventDefault();
      const t = C.$('#page-title') || C.$('#main');
      t.focus();
    });
    C.$('#menu').addEventListener('click', toggleMenu);
    C.$('#status').addEventListener('click', C.hush);
    C.$('#logout').addEventListener('click', logout);
    document.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') closeMenu();
    });
    window.addEventListener('hashchange', () => C.render());
    C.api('GET', '/api/community').then(Chorus.time.fromCommunity).then((c) => {
      C.communityName = c.name;
      C.$('#community').textContent = c.name;
      document.title = document.title.replace(/社区工作台$/, `${c.name}工作台`);
    }).catch(() => {});
    try {
      signedIn(await C.api('GET', '/api/me'));
    } catch (e) {
      if (e.status === 401) showLogin('');
      else C.$('#main').replaceChildren(h('p', { class: 'form-error', role: 'alert' }, C.errorText(e)));
    }
  };
})(window.C);
