/* parley chat widget: one <script> tag and ParleyChat.init({...}). It starts a chat through a start-chat
   backend (parley's POST /start-chat, or Amazon's sample startChatContactAPI) and talks the Amazon Connect
   Participant API and WebSocket as a Connect client does, so it works against parley and against Amazon Connect.
   No framework, no build step; styles live in a Shadow DOM so the host page and the widget never clash. */
(function () {
  'use strict';
  if (window.ParleyChat) return;

  var CT = {
    plain: 'text/plain', markdown: 'text/markdown',
    interactive: 'application/vnd.amazonaws.connect.message.interactive',
    response: 'application/vnd.amazonaws.connect.message.interactive.response',
    typing: 'application/vnd.amazonaws.connect.event.typing',
    read: 'application/vnd.amazonaws.connect.event.message.read',
    delivered: 'application/vnd.amazonaws.connect.event.message.delivered',
    joined: 'application/vnd.amazonaws.connect.event.participant.joined',
    left: 'application/vnd.amazonaws.connect.event.participant.left',
    ended: 'application/vnd.amazonaws.connect.event.chat.ended',
    authInitiated: 'application/vnd.amazonaws.connect.event.authentication.initiated'
  };
  // The outcomes of a sign-in (the Authenticate Customer block): content type → the string shown.
  var AUTH_OUTCOMES = {
    'application/vnd.amazonaws.connect.event.authentication.succeeded': 'signedIn',
    'application/vnd.amazonaws.connect.event.authentication.failed': 'signInFailed',
    'application/vnd.amazonaws.connect.event.authentication.timeout': 'signInTimeout',
    'application/vnd.amazonaws.connect.event.authentication.expired': 'signInExpired',
    'application/vnd.amazonaws.connect.event.authentication.cancelled': 'signInCancelled'
  };
  var STRINGS = {
    launch: 'Chat with us', title: 'Chat', message: 'Message', send: 'Send', end: 'End chat', close: 'Close',
    start: 'Start chat', name: 'Your name', connecting: 'Connecting…', reconnecting: 'Reconnecting…',
    typing: ' is typing…', ended: 'The chat has ended.', unreachable: 'The chat service cannot be reached. Retrying…',
    failed: 'The chat could not be started. Please try again.', joined: ' joined the chat', left: ' left the chat',
    you: 'You', read: 'Read', newChat: 'New chat', attach: 'Attach a file', notSent: 'The file could not be sent: ',
    signInPrompt: 'Please sign in to your account', signIn: 'Sign in', skipSignIn: 'Continue without signing in',
    signInUnavailable: 'Sign in unavailable', signedIn: 'You are now signed in to your account',
    signInFailed: 'Sign in failed', signInTimeout: 'Sign in timed out', signInExpired: 'Sign in expired',
    signInCancelled: 'Sign in cancelled'
  };
  var CSS = [
    ':host{all:initial;font:14px/1.4 system-ui,sans-serif;color:#1b1b1b}',
    '.launch{position:fixed;bottom:20px;right:20px;border:0;border-radius:24px;padding:12px 18px;cursor:pointer;',
    'background:var(--pc-accent,#0b5cad);color:#fff;font:inherit;box-shadow:0 2px 8px rgba(0,0,0,.25)}',
    '.left .launch,.left .panel{right:auto;left:20px}',
    '.panel{position:fixed;bottom:80px;right:20px;width:340px;max-width:calc(100vw - 40px);height:480px;',
    'max-height:calc(100vh - 100px);display:flex;flex-direction:column;background:#fff;border-radius:10px;',
    'box-shadow:0 4px 20px rgba(0,0,0,.3);overflow:hidden}',
    '.panel[hidden]{display:none}',
    'header{background:var(--pc-accent,#0b5cad);color:#fff;padding:10px 12px;display:flex;align-items:center;gap:8px}',
    'header h2{font-size:15px;margin:0;flex:1}header img{height:24px}',
    'header button{background:transparent;color:#fff;border:1px solid rgba(255,255,255,.6);border-radius:4px;cursor:pointer;font:inherit;padding:2px 8px}',
    '.log{flex:1;overflow-y:auto;padding:10px;display:flex;flex-direction:column;gap:6px}',
    '.msg{max-width:80%;padding:6px 10px;border-radius:10px;background:#eef1f4;align-self:flex-start;word-wrap:break-word;white-space:pre-wrap}',
    '.msg.me{align-self:flex-end;background:var(--pc-accent,#0b5cad);color:#fff}',
    '.who{font-size:11px;opacity:.7;display:block}.note{align-self:center;font-size:12px;color:#555}',
    '.rcpt{font-size:11px;opacity:.7;align-self:flex-end}',
    '.choices{display:flex;flex-wrap:wrap;gap:4px;margin-top:4px}',
    '.choices button{border:1px solid var(--pc-accent,#0b5cad);background:#fff;color:var(--pc-accent,#0b5cad);border-radius:12px;padding:3px 10px;cursor:pointer;font:inherit}',
    '.status{font-size:12px;color:#555;padding:0 12px;min-height:18px}',
    '.auth{align-self:center;text-align:center;font-size:13px}.auth .choices{justify-content:center}',
    'form{display:flex;gap:6px;padding:8px;border-top:1px solid #ddd}',
    'textarea,input{flex:1;resize:none;font:inherit;padding:6px;border:1px solid #bbb;border-radius:6px}',
    '.file{background:transparent;border:0;color:inherit;text-decoration:underline;cursor:pointer;font:inherit;padding:0}',
    'form button{border:0;border-radius:6px;background:var(--pc-accent,#0b5cad);color:#fff;padding:0 12px;cursor:pointer;font:inherit}',
    'button:focus-visible,textarea:focus-visible,input:focus-visible{outline:2px solid #f5a623;outline-offset:2px}',
    'form.pre{flex-direction:column;border-top:1px solid #ddd}form.pre button{padding:8px}form[hidden]{display:none}',
    '.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}'
  ].join('');

  function el(tag, attrs, kids) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) {
      if (k === 'text') e.textContent = attrs[k];
      else if (k.slice(0, 2) === 'on') e.addEventListener(k.slice(2), attrs[k]);
      else e.setAttribute(k, attrs[k]);
    }
    (kids || []).forEach(function (c) { if (c) e.appendChild(c); });
    return e;
  }
  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return 'x' + Date.now().toString(36) + Math.random().toString(36).slice(2);
  }
  // Markdown as Connect's widget renders it: bold, italics, links, line breaks; everything else is text.
  function markdown(parent, text) {
    var re = /(\*\*[^*]+\*\*|\*[^*]+\*|\[[^\]]+\]\((https?:\/\/[^)\s]+)\))/g, last = 0, m;
    while ((m = re.exec(text))) {
      parent.appendChild(document.createTextNode(text.slice(last, m.index)));
      var t = m[0];
      if (t.slice(0, 2) === '**') parent.appendChild(el('strong', { text: t.slice(2, -2) }));
      else if (t[0] === '*') parent.appendChild(el('em', { text: t.slice(1, -1) }));
      else parent.appendChild(el('a', { href: m[2], target: '_blank', rel: 'noopener noreferrer', text: t.slice(1, t.indexOf(']')) }));
      last = m.index + t.length;
    }
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function Widget(opts) {
    this.o = opts;
    this.s = Object.assign({}, STRINGS, opts.strings || {});
    this.endpoint = (opts.endpoint || '').replace(/\/$/, '');
    this.startURL = opts.startChatUrl || this.endpoint + '/start-chat';
    this.key = 'parley-chat:' + (opts.instanceId || '') + ':' + (opts.contactFlowId || '');
    this.seen = {};
    this.others = {};
    this.signIns = {}; // SessionId → the sign-in prompt's end, while the flow waits for it
    this.build();
    var saved = this.load();
    if (saved) { this.details = saved; this.open(true); this.connect(); }
  }

  Widget.prototype.build = function () {
    var self = this, s = this.s, o = this.o;
    var host = el('div', { 'data-parley-chat': '' });
    (o.container || document.body).appendChild(host);
    var root = host.attachShadow({ mode: 'open' });
    root.appendChild(el('style', { text: CSS }));
    var wrap = el('div', { class: o.position === 'left' ? 'left' : '' });
    if (o.theme && o.theme.accent) wrap.style.setProperty('--pc-accent', o.theme.accent);
    this.launchBtn = el('button', { class: 'launch', type: 'button', 'aria-expanded': 'false', text: s.launch,
      onclick: function () { self.toggle(); } });
    this.log = el('div', { class: 'log', role: 'log', 'aria-live': 'polite', 'aria-label': s.title });
    this.status = el('div', { class: 'status', role: 'status', 'aria-live': 'polite' });
    this.input = el('textarea', { rows: '2', 'aria-label': s.message, placeholder: s.message,
      onkeydown: function (e) { if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); self.submit(); } },
      oninput: function () { self.typing(); } });
    this.sendBtn = el('button', { type: 'submit', text: s.send });
    this.file = el('input', { type: 'file', class: 'sr', tabindex: '-1', 'aria-hidden': 'true', 'aria-label': s.attach,
      onchange: function () { var f = self.file.files[0]; self.file.value = ''; if (f) self.attach(f); } });
    this.attachBtn = el('button', { type: 'button', 'aria-label': s.attach, title: s.attach,
      onclick: function () { self.file.click(); } });
    this.attachBtn.innerHTML = '<svg width="16" height="16" viewBox="0 0 24 24" aria-hidden="true" fill="none" ' +
      'stroke="currentColor" stroke-width="2"><path d="M21 12.5l-8.5 8.5a5 5 0 0 1-7-7L14 5.5a3.5 3.5 0 0 1 5 5L10.5 19a2 2 0 0 1-3-3L15 8.5"/></svg>';
    this.form = el('form', { onsubmit: function (e) { e.preventDefault(); self.submit(); } }, [this.attachBtn, this.input, this.sendBtn, this.file]);
    this.endBtn = el('button', { type: 'button', text: s.end, onclick: function () { if (self.ended) self.restart(); else self.end(); } });
    var closeBtn = el('button', { type: 'button', 'aria-label': s.close, text: '×', onclick: function () { self.toggle(false); } });
    var header = el('header', {}, [o.logo ? el('img', { src: o.logo, alt: '' }) : null,
      el('h2', { text: o.title || s.title }), this.endBtn, closeBtn]);
    // The pre-chat form (preChat: true) asks the customer's name, and any preChatFields (attributes), before
    // the first message; the chat starts when it is sent.
    if (o.preChat) {
      var fields = [{ name: '', label: s.name, required: true }].concat(o.preChatFields || []);
      var inputs = fields.map(function (f, i) {
        return el('input', { id: 'pc-' + i, 'aria-label': f.label, placeholder: f.label, autocomplete: i === 0 ? 'name' : 'off' });
      });
      this.preForm = el('form', { class: 'pre', onsubmit: function (e) {
        e.preventDefault();
        if (!inputs[0].value.trim()) { inputs[0].focus(); return; }
        o.displayName = inputs[0].value.trim();
        o.attributes = Object.assign({}, o.attributes);
        fields.forEach(function (f, i) { if (i > 0 && inputs[i].value) o.attributes[f.name] = inputs[i].value; });
        self.preForm.remove();
        self.form.hidden = false;
        self.input.focus();
        self.start();
      } }, inputs.concat([el('button', { type: 'submit', text: s.start })]));
      this.form.hidden = true;
    }
    this.panel = el('section', { class: 'panel', role: 'dialog', 'aria-label': o.title || s.title, hidden: '' },
      [header, this.log, this.status, this.preForm, this.form]);
    wrap.appendChild(this.panel);
    wrap.appendChild(this.launchBtn);
    root.appendChild(wrap);
  };

  Widget.prototype.toggle = function (show) {
    var open = show === undefined ? this.panel.hasAttribute('hidden') : show;
    if (open) this.open(); else { this.panel.setAttribute('hidden', ''); this.launchBtn.setAttribute('aria-expanded', 'false'); this.launchBtn.focus(); }
  };

  Widget.prototype.open = function (quiet) {
    this.panel.removeAttribute('hidden');
    this.launchBtn.setAttribute('aria-expanded', 'true');
    if (this.details && this.preForm) { this.preForm.remove(); this.preForm = null; this.form.hidden = false; }
    if (!quiet) (this.preForm && this.preForm.isConnected ? this.preForm.querySelector('input') : this.input).focus();
  };

  Widget.prototype.load = function () {
    try { var d = JSON.parse(localStorage.getItem(this.key) || 'null'); return d && d.ParticipantToken ? d : null; } catch (e) { return null; }
  };
  Widget.prototype.save = function () { try { localStorage.setItem(this.key, JSON.stringify(this.details)); } catch (e) {} };
  Widget.prototype.forget = function () { try { localStorage.removeItem(this.key); } catch (e) {} };
  // The last ended chat, which the next one continues (persistent chat) unless persistentChat is false: its
  // ContactId and the customer's ParticipantToken, which proves to the start-chat endpoint that it was ours.
  Widget.prototype.last = function () {
    if (this.o.persistentChat === false) return null;
    try { var d = JSON.parse(localStorage.getItem(this.key + ':last') || 'null'); return d && d.ContactId && d.ParticipantToken ? d : null; } catch (e) { return null; }
  };
  Widget.prototype.remember = function () {
    if (!this.details) return;
    try { localStorage.setItem(this.key + ':last', JSON.stringify({ ContactId: this.details.ContactId, ParticipantToken: this.details.ParticipantToken })); } catch (e) {}
  };

  Widget.prototype.api = function (path, token, body) {
    return fetch(this.endpoint + path, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Amz-Bearer': token },
      body: JSON.stringify(body || {}) }).then(function (r) {
      return r.text().then(function (t) {
        var j = t ? JSON.parse(t) : {};
        if (!r.ok) { var e = new Error(j.message || j.Message || r.statusText); e.status = r.status; throw e; }
        return j;
      });
    });
  };

  Widget.prototype.submit = function () {
    var text = this.input.value.trim();
    if (!text || this.ended) return;
    this.input.value = '';
    this.lastTyping = 0; // the next keystroke starts a new typing burst
    this.send(CT.plain, text);
  };

  Widget.prototype.send = function (type, content) {
    var self = this;
    var go = function () {
      return self.api('/participant/message', self.conn.token, { ContentType: type, Content: content, ClientToken: uuid() });
    };
    if (!this.details) {
      this.pending = (this.pending || []).concat([[type, content]]);
      return this.start();
    }
    if (!this.conn) { this.pending = (this.pending || []).concat([[type, content]]); return; }
    go().catch(function (e) { self.note(self.s.unreachable); });
  };

  // attach uploads a file as Connect clients do: StartAttachmentUpload, a PUT of the bytes, then
  // CompleteAttachmentUpload; the ATTACHMENT item then arrives like any other.
  Widget.prototype.attach = function (file) {
    var self = this;
    if (this.ended) return;
    if (!this.conn) { this.pendingFiles = (this.pendingFiles || []).concat([file]); if (!this.details) this.start(); return; }
    var tok = this.conn.token;
    this.api('/participant/start-attachment-upload', tok, { AttachmentName: file.name,
      ContentType: file.type || 'application/octet-stream', AttachmentSizeInBytes: file.size, ClientToken: uuid() })
      .then(function (r) {
        return fetch(r.UploadMetadata.Url, { method: 'PUT', headers: r.UploadMetadata.HeadersToInclude || {}, body: file })
          .then(function (put) { if (!put.ok) throw new Error(put.statusText); return r.AttachmentId; });
      })
      .then(function (id) { return self.api('/participant/complete-attachment-upload', tok, { AttachmentIds: [id], ClientToken: uuid() }); })
      .catch(function (e) { self.note(self.s.notSent + e.message); });
  };

  // download opens an attachment of the chat (GetAttachment gives a short-lived URL).
  Widget.prototype.download = function (id) {
    var w = window.open('', '_blank');
    this.api('/participant/attachment', this.conn.token, { AttachmentId: id }).then(function (r) {
      if (w) w.location = r.Url; else window.location = r.Url;
    }).catch(function () { if (w) w.close(); });
  };

  Widget.prototype.start = function () {
    var self = this, o = this.o;
    if (this.starting) return this.starting;
    this.say(this.s.connecting);
    var req = { InstanceId: o.instanceId, ContactFlowId: o.contactFlowId,
      ParticipantDetails: { DisplayName: o.displayName || 'Customer' }, Attributes: o.attributes || {},
      SupportedMessagingContentTypes: [CT.plain, CT.markdown, CT.interactive, CT.response] };
    var last = this.last();
    if (last) req.PersistentChat = { RehydrationType: 'ENTIRE_PAST_SESSION', SourceContactId: last.ContactId, ParticipantToken: last.ParticipantToken };
    this.starting = fetch(this.startURL, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(req) })
      .then(function (r) { return r.json().then(function (j) { if (!r.ok || !j.data || !j.data.startChatResult) throw new Error('start'); return j.data.startChatResult; }); })
      .then(function (res) { self.details = res; self.save(); return self.connect(); })
      .catch(function () {
        self.starting = null;
        // A past chat that cannot be continued (another tab continues it, the server forgot it) must not keep
        // the customer from chatting: start afresh.
        if (last) { try { localStorage.removeItem(self.key + ':last'); } catch (e) {} return self.start(); }
        self.say(self.s.failed);
      });
    return this.starting;
  };

  // connect creates a connection (a WebSocket URL and a ConnectionToken), opens the socket, then reads the
  // transcript so that nothing sent while the page was away or the socket was down is missed.
  Widget.prototype.connect = function () {
    var self = this;
    this.say(this.conn ? this.s.reconnecting : this.s.connecting);
    return this.api('/participant/connection', this.details.ParticipantToken,
      { Type: ['WEBSOCKET', 'CONNECTION_CREDENTIALS'], ConnectParticipant: true })
      .then(function (c) {
        self.conn = { token: c.ConnectionCredentials.ConnectionToken };
        self.openSocket(c.Websocket.Url);
        return self.catchUp();
      })
      .then(function () {
        self.say('');
        var p = self.pending || []; self.pending = [];
        p.forEach(function (m) { self.send(m[0], m[1]); });
        var f = self.pendingFiles || []; self.pendingFiles = [];
        f.forEach(function (x) { self.attach(x); });
      })
      .catch(function (e) {
        if (e.status === 403) return self.finish();
        self.say(self.s.unreachable);
        self.retry();
      });
  };

  Widget.prototype.retry = function () {
    var self = this;
    if (this.ended || this.retrying) return;
    this.backoff = Math.min((this.backoff || 500) * 2, 15000);
    this.retrying = setTimeout(function () { self.retrying = null; self.connect(); }, this.backoff * (0.5 + Math.random() / 2));
  };

  Widget.prototype.openSocket = function (url) {
    var self = this, ws = new WebSocket(url), beat;
    this.ws = ws;
    ws.onopen = function () {
      self.backoff = 0;
      ws.send(JSON.stringify({ topic: 'aws/subscribe', content: { topics: ['aws/chat'] } }));
      beat = setInterval(function () { if (ws.readyState === 1) ws.send('{"topic":"aws/heartbeat"}'); }, 10000);
    };
    ws.onmessage = function (e) {
      var f; try { f = JSON.parse(e.data); } catch (x) { return; }
      if (f.topic === 'aws/chat' && typeof f.content === 'string') { try { self.item(JSON.parse(f.content)); } catch (x) {} }
    };
    ws.onclose = function () {
      clearInterval(beat);
      if (self.ws === ws && !self.ended) { self.say(self.s.reconnecting); self.retry(); }
    };
  };

  Widget.prototype.catchUp = function () {
    var self = this, next;
    var page = function () {
      var body = { MaxResults: 100, ScanDirection: 'FORWARD', SortOrder: 'ASCENDING' };
      if (next) body.NextToken = next;
      return self.api('/participant/transcript', self.conn.token, body).then(function (t) {
        (t.Transcript || []).forEach(function (it) { self.item(it); });
        next = t.NextToken;
        if (next) return page();
      });
    };
    return page();
  };

  // item shows one chat item once, whatever path (socket or transcript) brought it.
  Widget.prototype.item = function (it) {
    var s = this.s, ct = it.ContentType, me = it.ParticipantRole === 'CUSTOMER';
    if (ct === CT.typing) { if (!me) this.showTyping(it.DisplayName); return; }
    if (it.Type === 'MESSAGEMETADATA') { if (it.MessageMetadata) this.receipt(it.MessageMetadata); return; }
    if (!it.Id || this.seen[it.Id]) return;
    this.seen[it.Id] = true;
    // A continued chat's transcript begins with the past chat's items: its messages show, its events do not.
    var past = it.InitialContactId && this.details && it.InitialContactId !== this.details.ContactId;
    if (past && it.Type === 'EVENT') return;
    if (ct === CT.ended) return this.finish();
    if (ct === CT.joined) return this.note((it.DisplayName || '') + s.joined);
    if (ct === CT.left) return this.note((it.DisplayName || '') + s.left);
    if (ct === CT.authInitiated) return this.signInPrompt(it);
    if (AUTH_OUTCOMES[ct]) return this.signInOutcome(it, s[AUTH_OUTCOMES[ct]]);
    if (it.Type !== 'MESSAGE' && it.Type !== 'ATTACHMENT') return;
    this.hideTyping();
    var box = el('div', { class: 'msg' + (me ? ' me' : ''), 'data-id': it.Id });
    var who = me ? s.you : it.ParticipantRole === 'SYSTEM' ? (this.o.title || s.title) : (it.DisplayName || '');
    box.appendChild(el('span', { class: 'who', text: who }));
    var body = el('span', {});
    if (it.Type === 'ATTACHMENT') {
      var a = (it.Attachments || [])[0] || {}, self = this;
      body.appendChild(el('button', { type: 'button', class: 'file', text: '📎 ' + (a.AttachmentName || ''),
        onclick: function () { self.download(a.AttachmentId); } }));
    }
    else if (ct === CT.markdown) markdown(body, it.Content || '');
    else if (ct === CT.interactive) this.interactive(body, it.Content);
    else body.textContent = it.Content || '';
    box.appendChild(body);
    this.log.appendChild(box);
    this.log.scrollTop = this.log.scrollHeight;
    if (!me && this.conn) {
      this.api('/participant/event', this.conn.token, { ContentType: CT.read, Content: JSON.stringify({ messageId: it.Id }), ClientToken: uuid() }).catch(function () {});
    }
  };

  // interactive renders a template's title and its options as buttons; a choice is sent as the option's text.
  Widget.prototype.interactive = function (parent, content) {
    var self = this, t;
    try { t = JSON.parse(content); } catch (e) { parent.textContent = content; return; }
    var c = (t.data && t.data.content) || {};
    if (t.templateType === 'ViewResource') return this.view(parent, c);
    parent.appendChild(el('span', { text: [c.title, c.subtitle].filter(Boolean).join('\n') }));
    var opts = (c.elements || []).map(function (e) { return e.title; }).concat((c.timeslots || []).map(function (x) { return x.date; }));
    var box = el('div', { class: 'choices', role: 'group', 'aria-label': c.title || '' });
    opts.filter(Boolean).forEach(function (title) {
      box.appendChild(el('button', { type: 'button', text: title, onclick: function () {
        box.querySelectorAll('button').forEach(function (b) { b.disabled = true; });
        self.send(CT.plain, title);
      } }));
    });
    parent.appendChild(box);
  };

  // view shows a flow's ShowView: the view's actions come from DescribeView (by the message's token), its text and
  // fields from the message's viewData (Heading, SubHeading, Description, and a Form's Sections of FormInput
  // items). An action button answers with the form's values as an interactive response, which moves the flow.
  Widget.prototype.view = function (parent, c) {
    var self = this, d = c.viewData || {}, form = el('form', { class: 'view' });
    if (d.Heading) form.appendChild(el('strong', { text: d.Heading }));
    [d.SubHeading, d.Description].filter(Boolean).forEach(function (t) { form.appendChild(el('p', { text: t })); });
    var sections = typeof d.Sections === 'string' ? (function () { try { return JSON.parse(d.Sections); } catch (e) { return []; } })() : d.Sections || [];
    sections.forEach(function (sec) {
      if (sec.Heading) form.appendChild(el('p', { text: sec.Heading }));
      (sec.Items || []).forEach(function (f) {
        if (!f.Name) return;
        var input = el(f.InputType === 'textarea' ? 'textarea' : 'input', { name: f.Name, 'aria-label': f.Label || f.Name });
        if (f.InputType && f.InputType !== 'textarea') input.setAttribute('type', f.InputType);
        if (f.Required) input.setAttribute('required', '');
        if (f.DefaultValue) input.value = f.DefaultValue;
        form.appendChild(el('label', { text: (f.Label || f.Name) + ' ' }, [input]));
      });
    });
    var box = el('div', { class: 'choices', role: 'group' });
    form.appendChild(box);
    parent.appendChild(form);
    if (!this.conn || !c.viewToken) return;
    fetch(this.endpoint + '/participant/views/' + encodeURIComponent(c.viewToken), { headers: { 'X-Amz-Bearer': this.conn.token } })
      .then(function (r) { return r.json(); }).then(function (r) {
        var actions = (r.View && r.View.Content && r.View.Content.Actions) || [];
        actions.forEach(function (a) {
          box.appendChild(el('button', { type: 'button', text: d[a] || a, onclick: function () {
            if (a === 'Next' && !form.reportValidity()) return;
            var data = {};
            form.querySelectorAll('input,textarea').forEach(function (i) { data[i.name] = i.type === 'checkbox' ? i.checked : i.value; });
            form.querySelectorAll('input,textarea,button').forEach(function (b) { b.disabled = true; });
            self.send(CT.response, JSON.stringify({ templateType: 'ViewResource', version: '1.0', action: a, data: data }));
          } }));
        });
      }).catch(function () {});
  };

  // signInPrompt asks the customer to sign in, as Connect's hosted widget does when the flow's Authenticate
  // Customer block sends authentication.initiated: the sign-in URL is asked for at once (GetAuthenticationUrl
  // answers only within a minute of the event), "Sign in" opens it in a popup, where the identity provider sends
  // the customer on to the redirect URI (parley's own callback page unless authenticationRedirectUri is set), and
  // "Continue without signing in" cancels (CancelParticipantAuthentication). The outcome event ends the prompt.
  Widget.prototype.signInPrompt = function (it) {
    var self = this, s = this.s, session, url, asked, finished = false;
    try { session = JSON.parse(it.Content || '{}').SessionId; } catch (e) {}
    if (!session || !this.conn) return;
    var redirect = this.o.authenticationRedirectUri || new URL('/authentication/callback', this.endpoint || location.href).href;
    // popup opens the sign-in page; where popups are blocked, the prompt offers it as a link instead.
    var popup = function (u) {
      var w = window.open(u || '', 'parley-sign-in', 'popup,width=480,height=640');
      if (!w && u) fallback(u);
      return w;
    };
    var fallback = function (u) {
      text.textContent = '';
      text.appendChild(el('a', { href: u, target: '_blank', rel: 'noopener noreferrer', text: s.signInPrompt }));
    };
    var ask = function () {
      if (!asked) {
        asked = self.api('/participant/authentication-url', self.conn.token, { SessionId: session, RedirectUri: redirect })
          .then(function (r) { url = r.AuthenticationUrl; return url; });
        asked.catch(function () { asked = null; if (!finished) text.textContent = s.signInUnavailable; });
      }
      return asked;
    };
    var text = el('span', { text: s.signInPrompt });
    var signIn = el('button', { type: 'button', text: s.signIn, onclick: function () {
      if (url) { popup(url); return; }
      var w = popup(''); // opened within the click, so that no popup blocker stops it
      ask().then(function (u) { if (w) w.location = u; else fallback(u); }).catch(function () { if (w) w.close(); });
    } });
    var skip = el('button', { type: 'button', text: s.skipSignIn, onclick: function () {
      skip.disabled = true;
      self.api('/participant/cancel-authentication', self.conn.token, { SessionId: session })
        .catch(function () { if (!finished) skip.disabled = false; });
    } });
    var box = el('div', { class: 'auth', role: 'group', 'aria-label': s.signInPrompt, 'data-session': session },
      [text, el('div', { class: 'choices' }, [signIn, skip])]);
    this.log.appendChild(box);
    this.log.scrollTop = this.log.scrollHeight;
    this.signIns[session] = function () { finished = true; signIn.disabled = true; skip.disabled = true; };
    // Asked after the current batch of items: a past sign-in's outcome, later in the same transcript page,
    // ends the prompt first and nothing is asked for it.
    setTimeout(function () { if (!finished) ask(); }, 0);
  };

  Widget.prototype.signInOutcome = function (it, text) {
    var session; try { session = JSON.parse(it.Content || '{}').SessionId; } catch (e) {}
    if (session && this.signIns[session]) { this.signIns[session](); delete this.signIns[session]; }
    this.note(text);
  };

  Widget.prototype.receipt = function (md) {
    var read = (md.Receipts || []).some(function (r) { return r.ReadTimestamp; });
    var box = read && this.log.querySelector('.msg.me[data-id="' + md.MessageId + '"]');
    if (!box || box.nextSibling && box.nextSibling.className === 'rcpt') return;
    var old = this.log.querySelector('.rcpt'); if (old) old.remove();
    box.insertAdjacentElement('afterend', el('span', { class: 'rcpt', text: this.s.read }));
  };

  Widget.prototype.typing = function () {
    if (!this.conn || this.ended) return;
    var now = Date.now();
    if (this.lastTyping && now - this.lastTyping < 10000) return;
    this.lastTyping = now;
    this.api('/participant/event', this.conn.token, { ContentType: CT.typing, ClientToken: uuid() }).catch(function () {});
  };
  Widget.prototype.showTyping = function (name) {
    var self = this;
    this.say((name || '') + this.s.typing);
    clearTimeout(this.typingTimer);
    this.typingTimer = setTimeout(function () { self.hideTyping(); }, 12000);
  };
  Widget.prototype.hideTyping = function () { clearTimeout(this.typingTimer); if (/typing/.test(this.status.textContent)) this.say(''); };

  Widget.prototype.say = function (text) { this.status.textContent = text; };
  Widget.prototype.note = function (text) { this.log.appendChild(el('div', { class: 'note', text: text })); };

  Widget.prototype.end = function () {
    if (!this.conn || this.ended) { this.toggle(false); return; }
    var self = this;
    this.api('/participant/disconnect', this.conn.token, { ClientToken: uuid() }).catch(function () {}).then(function () { self.finish(); });
  };

  // finish ends the chat on this page: the transcript stays readable, a new chat can be started.
  Widget.prototype.finish = function () {
    if (this.ended) return;
    this.ended = true;
    this.remember();
    this.forget();
    var ws = this.ws; this.ws = null; if (ws) ws.close();
    this.hideTyping();
    this.note(this.s.ended);
    this.say(this.s.ended);
    this.input.disabled = true; this.sendBtn.disabled = true;
    this.endBtn.textContent = this.s.newChat;
  };

  Widget.prototype.restart = function () {
    this.ended = false; this.details = null; this.conn = null; this.starting = null; this.seen = {}; this.signIns = {};
    this.log.textContent = ''; this.say('');
    this.input.disabled = false; this.sendBtn.disabled = false;
    this.endBtn.textContent = this.s.end;
    this.input.focus();
  };

  window.ParleyChat = {
    init: function (opts) { return new Widget(opts || {}); }
  };
  var cfg = document.currentScript && document.currentScript.dataset;
  if (cfg && cfg.autoInit !== undefined) {
    window.ParleyChat.init({ endpoint: cfg.endpoint || new URL(document.currentScript.src).origin,
      instanceId: cfg.instanceId, contactFlowId: cfg.contactFlowId, displayName: cfg.displayName, title: cfg.title,
      preChat: cfg.preChat !== undefined, authenticationRedirectUri: cfg.authenticationRedirectUri });
  }
})();
