/* parley's agent workspace: log in with the agent API, take offers from its event stream, and chat through the
   Participant API and WebSocket with the ParticipantToken each accepted contact brings, as ChatJS's agent
   sessions do. Plain JavaScript, no build step. */
(function () {
  'use strict';
  var API = '/agent/v1';
  var CT = { plain: 'text/plain', markdown: 'text/markdown', interactive: 'application/vnd.amazonaws.connect.message.interactive',
    typing: 'application/vnd.amazonaws.connect.event.typing', read: 'application/vnd.amazonaws.connect.event.message.read',
    joined: 'application/vnd.amazonaws.connect.event.participant.joined', left: 'application/vnd.amazonaws.connect.event.participant.left',
    ended: 'application/vnd.amazonaws.connect.event.chat.ended' };
  // What the agent is told of the customer's sign-in (the flow's Authenticate Customer block).
  var SIGN_IN = 'application/vnd.amazonaws.connect.event.authentication.';
  var SIGN_IN_NOTES = { initiated: 'The customer was asked to sign in.', succeeded: 'The customer signed in.',
    failed: 'The customer\'s sign-in failed.', timeout: 'The customer did not sign in in time.',
    expired: 'The customer\'s sign-in expired.', cancelled: 'The customer chose not to sign in.' };
  var app = document.getElementById('app'), who = document.getElementById('who');
  var token = sessionStorage.getItem('parley-agent-token');
  var chats = {}, offers = {}, offerBox, chatBox, live;

  function el(tag, attrs, kids) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) {
      if (k === 'text') e.textContent = attrs[k];
      else if (k.slice(0, 2) === 'on') e.addEventListener(k.slice(2), attrs[k]);
      else e.setAttribute(k, attrs[k]);
    }
    (kids || []).forEach(function (c) { if (c) e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return e;
  }
  function uuid() { return crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random(); }
  function call(method, path, body) {
    return fetch(API + path, { method: method, headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + token },
      body: body ? JSON.stringify(body) : undefined }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (j) {
        if (r.status === 401) { logout(); throw new Error('session expired'); }
        if (!r.ok) throw new Error(j.message || r.statusText);
        return j;
      });
    });
  }
  function participant(path, bearer, body) {
    return fetch('/participant/' + path, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Amz-Bearer': bearer },
      body: JSON.stringify(body || {}) }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (j) { if (!r.ok) { var e = new Error(j.message || r.statusText); e.status = r.status; throw e; } return j; });
    });
  }

  function showLogin(msg) {
    app.textContent = ''; who.textContent = '';
    var user = el('input', { id: 'username', autocomplete: 'username', required: '' });
    var pass = el('input', { id: 'password', type: 'password', autocomplete: 'current-password', required: '' });
    var err = el('p', { role: 'alert', text: msg || '' });
    var form = el('form', { class: 'login', 'aria-label': 'Log in', onsubmit: function (e) {
      e.preventDefault();
      fetch(API + '/login', { method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ Username: user.value, Password: pass.value }) })
        .then(function (r) { return r.json().then(function (j) { if (!r.ok) throw new Error(j.message || 'login failed'); return j; }); })
        .then(function (j) { token = j.Token; sessionStorage.setItem('parley-agent-token', token); start(j.User); })
        .catch(function (x) { err.textContent = x.message; });
    } }, [el('h2', { text: 'Agent log in' }), el('label', { for: 'username', text: 'Username' }), user,
      el('label', { for: 'password', text: 'Password' }), pass, el('button', { type: 'submit', text: 'Log in' }), err]);
    app.appendChild(form);
    user.focus();
  }

  function logout() {
    if (token) fetch(API + '/logout', { method: 'POST', headers: { Authorization: 'Bearer ' + token } }).catch(function () {});
    token = null; sessionStorage.removeItem('parley-agent-token');
    if (live) { live.onclose = null; live.close(); }
    Object.keys(chats).forEach(function (id) { if (chats[id].ws) chats[id].ws.close(); });
    chats = {}; offers = {};
    showLogin();
  }

  function start(user) {
    app.textContent = '';
    var status = el('select', { id: 'status', onchange: function () { call('PUT', '/status', { Status: status.value }); } },
      [el('option', { value: 'Offline', text: 'Offline' }), el('option', { value: 'Available', text: 'Available' })]);
    who.textContent = '';
    who.appendChild(el('span', {}, [(user && user.Username ? user.Username + ' · ' : ''), el('label', { for: 'status', text: 'Status ' }), status, ' ',
      el('button', { type: 'button', class: 'plain', text: 'Log out', onclick: logout })]));
    if (window.Notification && Notification.permission === 'default') {
      var ask = el('button', { type: 'button', class: 'plain', text: 'Enable notifications', onclick: function () {
        Notification.requestPermission().finally(function () { ask.remove(); });
      } });
      who.appendChild(ask);
    }
    offerBox = el('section', { class: 'offers', 'aria-label': 'Incoming chats', 'aria-live': 'assertive' });
    chatBox = el('section', { class: 'chats', 'aria-label': 'Chats' });
    app.appendChild(offerBox); app.appendChild(chatBox);
    if (user && (user.Role === 'supervisor' || user.Role === 'admin')) supervisor();
    events(status);
  }

  function events(status) {
    var proto = location.protocol === 'https:' ? 'wss://' : 'ws://';
    live = new WebSocket(proto + location.host + API + '/events?token=' + encodeURIComponent(token));
    live.onmessage = function (m) {
      var ev = JSON.parse(m.data);
      if (ev.Type === 'state') {
        status.value = ev.State.Status === 'Available' ? 'Available' : 'Offline';
        (ev.State.Contacts || []).forEach(contact);
      } else if (ev.Type === 'offer') offer(ev.Contact);
      else if (ev.Type === 'offer.withdrawn') dropOffer(ev.ContactId);
      else if (ev.Type === 'contact.connected') contact(ev.Contact);
      else if (ev.Type === 'contact.ended') { var c = chats[ev.ContactId]; if (c) acw(c); }
      else if (ev.Type === 'contact.cleared') { var d = chats[ev.ContactId]; if (d) { d.box.remove(); delete chats[ev.ContactId]; } }
    };
    live.onclose = function () { if (token) setTimeout(function () { events(status); }, 1000); };
  }

  function offer(c) {
    if (offers[c.ContactId] || chats[c.ContactId]) return;
    var card = el('div', { class: 'offer', role: 'group', 'aria-label': 'Chat from ' + (c.CustomerName || 'a customer') }, [
      el('span', { text: 'Chat from ' + (c.CustomerName || 'a customer') + ' (' + (c.QueueName || '') + ')' }),
      el('button', { type: 'button', text: 'Accept', onclick: function () {
        call('POST', '/contacts/' + c.ContactId + '/accept').then(function (a) { dropOffer(c.ContactId); contact(a); })
          .catch(function () { dropOffer(c.ContactId); });
      } }),
      el('button', { type: 'button', class: 'plain', text: 'Reject', onclick: function () {
        call('POST', '/contacts/' + c.ContactId + '/reject').finally(function () { dropOffer(c.ContactId); });
      } })]);
    offers[c.ContactId] = card;
    offerBox.appendChild(card);
    ring();
    if (window.Notification && Notification.permission === 'granted') new Notification('parley: a chat is waiting');
  }
  // ring plays a short two-tone chime for a new offer (browsers allow it once the agent has used the page).
  function ring() {
    try {
      var ac = ring.ac || (ring.ac = new (window.AudioContext || window.webkitAudioContext)());
      [660, 880].forEach(function (f, i) {
        var o = ac.createOscillator(), g = ac.createGain(), t = ac.currentTime + i * 0.18;
        o.frequency.value = f; g.gain.setValueAtTime(0.15, t); g.gain.exponentialRampToValueAtTime(0.001, t + 0.16);
        o.connect(g); g.connect(ac.destination); o.start(t); o.stop(t + 0.17);
      });
    } catch (e) {}
  }

  function dropOffer(id) { if (offers[id]) { offers[id].remove(); delete offers[id]; } }

  // contact opens the chat pane of a connected (or after-contact-work) contact.
  function contact(c) {
    if (c.State === 'OFFERED') return offer(c);
    var saved = JSON.parse(sessionStorage.getItem('parley-contact-' + c.ContactId) || 'null');
    if (c.ParticipantToken) sessionStorage.setItem('parley-contact-' + c.ContactId, JSON.stringify({ pt: c.ParticipantToken, pid: c.ParticipantId }));
    else if (saved) { c.ParticipantToken = saved.pt; c.ParticipantId = saved.pid; }
    var ch = chats[c.ContactId];
    if (!ch) {
      var name = c.CustomerName || 'Customer';
      ch = chats[c.ContactId] = { c: c, seen: {}, name: name };
      ch.log = el('div', { class: 'log', role: 'log', 'aria-live': 'polite', 'aria-label': 'Chat with ' + name });
      ch.status = el('div', { class: 'status', role: 'status' });
      ch.input = el('textarea', { rows: '2', 'aria-label': 'Message to ' + name, onkeydown: function (e) {
        if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); send(ch); } }, oninput: function () { typing(ch); } });
      ch.qc = el('select', { 'aria-label': 'Transfer to' });
      ch.quick = el('select', { 'aria-label': 'Quick reply', onchange: function () {
        if (ch.quick.value) { ch.input.value = ch.quick.value; ch.input.focus(); }
        ch.quick.value = '';
      } }, [el('option', { value: '', text: 'Quick reply…' })].concat(replies().map(function (r) { return el('option', { value: r, text: r }); })));
      ch.file = el('input', { type: 'file', hidden: '', 'aria-label': 'Attach a file', onchange: function () {
        var f = ch.file.files[0]; ch.file.value = ''; if (f) attach(ch, f);
      } });
      ch.tools = el('div', { class: 'tools' }, [
        el('button', { type: 'button', class: 'plain', text: 'End chat', onclick: function () { call('POST', '/contacts/' + c.ContactId + '/end'); } }),
        ch.qc,
        el('button', { type: 'button', class: 'plain', text: 'Transfer', onclick: function () {
          if (ch.qc.value) call('POST', '/contacts/' + c.ContactId + '/transfer', { QuickConnectId: ch.qc.value });
        } })]);
      var attrs = Object.keys(c.Attributes || {}).map(function (k) { return k + ': ' + c.Attributes[k]; }).join(' · ');
      ch.box = el('article', { class: 'chat', 'aria-label': 'Chat with ' + name }, [
        el('h2', {}, [el('span', { text: name }), el('small', { text: c.QueueName || '' })]),
        attrs ? el('div', { class: 'attrs', text: attrs }) : null, ch.log, ch.status,
        el('form', { class: 'send', onsubmit: function (e) { e.preventDefault(); send(ch); } }, [ch.input, el('button', { type: 'submit', text: 'Send' })]),
        el('div', { class: 'tools' }, [ch.quick, el('button', { type: 'button', class: 'plain', text: 'Attach a file',
          onclick: function () { ch.file.click(); } }), ch.file]),
        ch.tools]);
      chatBox.appendChild(ch.box);
      call('GET', '/quick-connects').then(function (q) {
        ch.qc.appendChild(el('option', { value: '', text: 'Transfer to…' }));
        (q.QuickConnects || []).forEach(function (x) { ch.qc.appendChild(el('option', { value: x.Id, text: x.Name })); });
      }).catch(function () {});
      if (c.ParticipantToken) connect(ch);
    }
    if (c.State === 'AFTER_CONTACT_WORK') acw(ch);
  }

  function connect(ch) {
    participant('connection', ch.c.ParticipantToken, { Type: ['WEBSOCKET', 'CONNECTION_CREDENTIALS'], ConnectParticipant: true })
      .then(function (r) {
        ch.token = r.ConnectionCredentials.ConnectionToken;
        var ws = ch.ws = new WebSocket(r.Websocket.Url);
        ws.onopen = function () {
          ws.send(JSON.stringify({ topic: 'aws/subscribe', content: { topics: ['aws/chat'] } }));
          ch.beat = setInterval(function () { if (ws.readyState === 1) ws.send('{"topic":"aws/heartbeat"}'); }, 10000);
        };
        ws.onmessage = function (m) { var f = JSON.parse(m.data); if (f.topic === 'aws/chat') item(ch, JSON.parse(f.content)); };
        ws.onclose = function () { clearInterval(ch.beat); if (chats[ch.c.ContactId] === ch && !ch.done) setTimeout(function () { connect(ch); }, 1000); };
        return transcript(ch);
      }).catch(function (e) { if (e.status === 403) acw(ch); });
  }

  function transcript(ch, next) {
    var body = { MaxResults: 100, ScanDirection: 'FORWARD', SortOrder: 'ASCENDING' };
    if (next) body.NextToken = next;
    return participant('transcript', ch.token, body).then(function (t) {
      (t.Transcript || []).forEach(function (it) { item(ch, it); });
      if (t.NextToken) return transcript(ch, t.NextToken);
    });
  }

  // viewText shows a view the flow sent (ShowView) and the customer's answer to it read-only, as text.
  function viewText(it) {
    if (it.ContentType !== CT.interactive && it.ContentType !== 'application/vnd.amazonaws.connect.message.interactive.response') return '';
    var t; try { t = JSON.parse(it.Content); } catch (e) { return ''; }
    if (!t || t.templateType !== 'ViewResource') return '';
    if (t.action) return 'View answered: ' + t.action + (t.data && Object.keys(t.data).length ? ' ' + JSON.stringify(t.data) : '');
    var c = (t.data && t.data.content) || {}, d = c.viewData || {};
    return 'View shown: ' + (c.viewId || '').split('/').pop() + (d.Heading ? ' — ' + d.Heading : '');
  }

  function item(ch, it) {
    var ct = it.ContentType, me = it.ParticipantId === ch.c.ParticipantId;
    if (ct === CT.typing) { if (!me) { ch.status.textContent = (it.DisplayName || ch.name) + ' is typing…';
      clearTimeout(ch.tt); ch.tt = setTimeout(function () { ch.status.textContent = ''; }, 12000); } return; }
    if (it.Type === 'MESSAGEMETADATA' || !it.Id || ch.seen[it.Id]) return;
    ch.seen[it.Id] = true;
    // A persistent chat's transcript begins with an earlier chat's items: its messages show, its events do not.
    if (it.Type === 'EVENT' && it.InitialContactId && ch.c.InitialContactId && it.InitialContactId !== ch.c.InitialContactId) return;
    if (ct === CT.joined || ct === CT.left) return note(ch, (it.DisplayName || '') + (ct === CT.joined ? ' joined' : ' left'));
    if (ct === CT.ended) return note(ch, 'The chat has ended.');
    if (ct && ct.indexOf(SIGN_IN) === 0 && SIGN_IN_NOTES[ct.slice(SIGN_IN.length)]) return note(ch, SIGN_IN_NOTES[ct.slice(SIGN_IN.length)]);
    if (it.Type !== 'MESSAGE' && it.Type !== 'ATTACHMENT') return;
    ch.status.textContent = '';
    var body = viewText(it) || it.Content || '';
    if (it.Type === 'ATTACHMENT') {
      var a = (it.Attachments || [])[0] || {};
      body = el('a', { href: '#', target: '_blank', rel: 'noopener', text: '📎 ' + (a.AttachmentName || '') });
      participant('attachment', ch.token, { AttachmentId: a.AttachmentId, UrlExpiryInSeconds: 300 })
        .then(function (r) { body.href = r.Url; }).catch(function () {});
    }
    ch.log.appendChild(el('div', { class: 'msg' + (me ? ' me' : '') }, [el('span', { class: 'who', text: me ? 'You' : (it.DisplayName || it.ParticipantRole) }), body]));
    ch.log.scrollTop = ch.log.scrollHeight;
    if (!me && ch.token && it.ParticipantRole === 'CUSTOMER') {
      participant('event', ch.token, { ContentType: CT.read, Content: JSON.stringify({ messageId: it.Id }), ClientToken: uuid() }).catch(function () {});
    }
  }
  function note(ch, text) { ch.log.appendChild(el('div', { class: 'note', text: text })); }

  function send(ch) {
    var text = ch.input.value.trim();
    if (!text || !ch.token) return;
    ch.input.value = '';
    participant('message', ch.token, { ContentType: CT.plain, Content: text, ClientToken: uuid() }).catch(function () { ch.status.textContent = 'Not sent: ' + text; });
  }
  // replies are the agent's quick replies (canned responses), kept in this browser.
  function replies() {
    try {
      var r = JSON.parse(localStorage.getItem('parley-agent-replies') || 'null');
      if (Array.isArray(r) && r.length) return r;
    } catch (e) {}
    return ['Hello, how can I help you?', 'Let me check that for you.', 'Is there anything else I can help you with?',
      'Thank you for contacting us. Goodbye!'];
  }

  // attach sends a file: StartAttachmentUpload, the PUT, CompleteAttachmentUpload.
  function attach(ch, file) {
    if (!ch.token) return;
    participant('start-attachment-upload', ch.token, { AttachmentName: file.name, ContentType: file.type || 'application/octet-stream',
      AttachmentSizeInBytes: file.size, ClientToken: uuid() })
      .then(function (r) {
        return fetch(r.UploadMetadata.Url, { method: 'PUT', headers: r.UploadMetadata.HeadersToInclude || {}, body: file })
          .then(function (put) { if (!put.ok) throw new Error(put.statusText); return r.AttachmentId; });
      })
      .then(function (id) { return participant('complete-attachment-upload', ch.token, { AttachmentIds: [id], ClientToken: uuid() }); })
      .catch(function (e) { ch.status.textContent = 'The file could not be sent: ' + e.message; });
  }

  function typing(ch) {
    var now = Date.now();
    if (!ch.token || ch.lastTyping && now - ch.lastTyping < 10000) return;
    ch.lastTyping = now;
    participant('event', ch.token, { ContentType: CT.typing, ClientToken: uuid() }).catch(function () {});
  }

  // acw puts a pane in after-contact work: the chat is over; Clear frees the slot.
  function acw(ch) {
    if (ch.done) return;
    ch.done = true;
    if (ch.ws) { ch.ws.onclose = null; ch.ws.close(); }
    ch.box.classList.add('acw');
    ch.input.disabled = true;
    ch.tools.textContent = '';
    ch.tools.appendChild(el('span', { text: 'After-contact work ' }));
    ch.tools.appendChild(el('button', { type: 'button', text: 'Clear', onclick: function () {
      call('POST', '/contacts/' + ch.c.ContactId + '/clear').then(function () {
        ch.box.remove(); delete chats[ch.c.ContactId]; sessionStorage.removeItem('parley-contact-' + ch.c.ContactId);
      });
    } }));
  }

  // supervisor shows queues, agents and live contacts, refreshed every 3 s, with Monitor on each contact.
  function supervisor() {
    var box = el('section', { class: 'super', 'aria-label': 'Supervisor' });
    app.appendChild(box);
    var table = function (caption, head, rows) {
      return el('table', {}, [el('caption', { text: caption }), el('tr', {}, head.map(function (h) { return el('th', { scope: 'col', text: h }); }))]
        .concat(rows.map(function (r) { return el('tr', {}, r.map(function (c) { return el('td', {}, [c]); })); })));
    };
    var refresh = function () {
      if (!token || !box.isConnected) return;
      Promise.all([call('GET', '/queues'), call('GET', '/agents'), call('GET', '/live-contacts')]).then(function (r) {
        box.textContent = '';
        box.appendChild(table('Queues', ['Queue', 'Waiting', 'Oldest (s)', 'Available', 'On contact'],
          (r[0].Queues || []).map(function (q) { return [q.Name, String(q.Waiting), String(q.OldestContactAgeSeconds), String(q.AgentsAvailable), String(q.AgentsOnContact)]; })));
        box.appendChild(table('Agents', ['Agent', 'Status', 'State', 'Contacts'],
          (r[1].Agents || []).map(function (a) { return [a.Username || a.UserId, a.Status, a.System, String((a.Contacts || []).length)]; })));
        box.appendChild(table('Live contacts', ['Customer', 'Queue', 'State', ''],
          (r[2].Contacts || []).map(function (c) {
            return [c.CustomerName || '', c.QueueName || '', c.State, chats[c.ContactId] ? '' : el('button', { type: 'button', class: 'plain',
              'aria-label': 'Monitor ' + (c.CustomerName || 'contact'), text: 'Monitor', onclick: function () { monitor(c); } })];
          })));
      }).catch(function () {});
    };
    refresh();
    setInterval(refresh, 3000);
  }

  // monitor joins a contact silently; Barge in lets the supervisor write.
  function monitor(c) {
    call('POST', '/contacts/' + c.ContactId + '/monitor', { Mode: 'SILENT' }).then(function (m) {
      c.State = 'CONNECTED'; c.ParticipantToken = m.ParticipantToken; c.ParticipantId = m.ParticipantId;
      contact(c);
      var ch = chats[c.ContactId];
      ch.input.disabled = true;
      ch.tools.textContent = '';
      ch.tools.appendChild(el('button', { type: 'button', text: 'Barge in', onclick: function (e) {
        call('POST', '/contacts/' + c.ContactId + '/barge').then(function () { ch.input.disabled = false; e.target.remove(); ch.input.focus(); });
      } }));
    });
  }

  if (token) call('GET', '/me').then(function (j) { start(j.User); }).catch(function () { showLogin(); });
  else showLogin();
})();
