'use strict';
// lib/api.js: the JSON API client the kiosk page, the staff console and
// the door check-in page share, with its one error type. Every page of
// Chorus loads the scripts of lib/ first; they add to the one global
// Chorus and need nothing else.
(function () {
  const Chorus = (window.Chorus = window.Chorus || {});

  // ApiError is a call that did not succeed: an answer that was not 2xx
  // (status, the server's code and its Chinese sentence), or no answer at
  // all (status 0, code "network"). next says what the person can do next,
  // where a page has something to say about it.
  class ApiError extends Error {
    constructor(status, code, message, next) {
      super(message);
      this.status = status;
      this.code = code;
      this.next = next || '';
    }

    // network reports that the server was not reached: nothing was
    // decided, the same call may be made again.
    get network() {
      return this.code === 'network';
    }
  }
  Chorus.ApiError = ApiError;

  // client makes the api(method, path, body, headers) function of a page;
  // it returns the decoded answer or throws an ApiError. o sets:
  //   timeout        ms before a call with no answer ends as a network
  //                  error, or a function returning it (read on each call)
  //   headers()      headers every call carries (the kiosk's token)
  //   csrf()         the session's CSRF token, sent on every call but a GET
  //   gatewayDown    true: 502, 503 and 504 (a proxy with no server behind
  //                  it) count as the network being down
  //   onAnswer(res)  sees every answer that came (the Date header, "online")
  //   onNetwork()    called when the server could not be reached
  //   networkError   the error thrown when the server cannot be reached
  //   failure(status, data) the error for an answer that was not 2xx; the
  //                  default takes the server's {error: {code, message}}
  //   retry(err, call) may return a promise of the answer to the call
  //                  made again (a CSRF token renewed), or null to throw
  //                  err; call is {method, path, retried, again()}, again
  //                  making the call once more, never retried again
  Chorus.client = function (o) {
    const opts = Object.assign({
      timeout: 30000,
      headers: () => ({}),
      csrf: () => '',
      gatewayDown: false,
      onAnswer: () => {},
      onNetwork: () => {},
      networkError: () => new ApiError(0, 'network', '连不上服务器,请检查网络后再试。'),
      failure: (status, data) => Chorus.failure(status, data, `服务器出错了(${status}),请稍后再试。`),
      retry: () => null,
    }, o || {});
    const call = async function (method, path, body, headers, retried) {
      const ctl = new AbortController();
      const timer = setTimeout(() => ctl.abort(), typeof opts.timeout === 'function' ? opts.timeout() : opts.timeout);
      const h = Object.assign({ Accept: 'application/json' }, opts.headers());
      if (body !== undefined && body !== null) h['Content-Type'] = 'application/json';
      const csrf = method !== 'GET' ? opts.csrf() : '';
      if (csrf) h['X-CSRF-Token'] = csrf;
      Object.assign(h, headers || {});
      let res;
      try {
        res = await fetch(path, {
          method, headers: h, credentials: 'same-origin', cache: 'no-store', signal: ctl.signal,
          body: body !== undefined && body !== null ? JSON.stringify(body) : undefined,
        });
      } catch (e) {
        opts.onNetwork();
        throw opts.networkError();
      } finally {
        clearTimeout(timer);
      }
      if (opts.gatewayDown && (res.status === 502 || res.status === 503 || res.status === 504)) {
        opts.onNetwork();
        throw opts.networkError();
      }
      opts.onAnswer(res);
      let data = null;
      try {
        const text = await res.text();
        data = text ? JSON.parse(text) : null;
      } catch (e) {
        data = null;
      }
      if (!res.ok) {
        const err = opts.failure(res.status, data);
        const again = opts.retry(err, { method, path, retried, again: () => call(method, path, body, headers, true) });
        if (again) return again;
        throw err;
      }
      return data;
    };
    return (method, path, body, headers) => call(method, path, body, headers, false);
  };

  // failure is the ApiError of an answer that was not 2xx: the server's
  // code and sentence ({error: {code, message}}), or fallback.
  Chorus.failure = function (status, data, fallback, next) {
    const err = (data && data.error) || {};
    return new ApiError(status, err.code || 'internal', err.message || fallback, next);
  };

  // key makes an idempotency key: prefix and 32 random hex digits
  // (crypto.randomUUID needs https, which a kiosk on the LAN may not have).
  Chorus.key = function (prefix) {
    const b = new Uint8Array(16);
    crypto.getRandomValues(b);
    return prefix + '-' + Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  };
})();
