/*
 * The Web Chat page: gets a conversation token from the bot's own token route (the Direct Line
 * secret never reaches the browser), then renders the unmodified botframework-webchat against
 * the Direct Line the server names: the bot's self-hosted /v3/directline, or Azure's.
 * A reload within the token's lifetime resumes the same conversation.
 */
(() => {
  var STORAGE_KEY = 'order-bot.directline';
  var statusEl = document.getElementById('status');

  function setStatus(text, isError) {
    statusEl.textContent = text;
    statusEl.className = `chat__status${isError ? ' chat__status--error' : ''}`;
  }

  function saved() {
    var value;
    try {
      value = JSON.parse(window.sessionStorage.getItem(STORAGE_KEY) || 'null');
      // Resume only with a minute of token life left; otherwise start afresh.
      return value && value.expiresAt - Date.now() > 60000 ? value : null;
    } catch (_e) {
      return null;
    }
  }

  function save(session) {
    try {
      window.sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
    } catch (_e) {
      /* private mode: no resume, nothing else lost */
    }
  }

  function fetchToken() {
    return fetch('api/directline/token', { method: 'POST', credentials: 'same-origin' })
      .then((res) => {
        if (!res.ok) throw new Error(`token route answered ${res.status}`);
        return res.json();
      })
      .then((t) => {
        var session = {
          token: t.token,
          conversationId: t.conversationId,
          userId: t.userId,
          domain: t.domain,
          expiresAt: Date.now() + t.expiresIn * 1000,
          started: false,
        };
        save(session);
        return session;
      });
  }

  function start(session) {
    var options = { token: session.token, domain: session.domain, webSocket: true };
    // A started conversation is resumed (GET /conversations/:id); a fresh token starts one.
    if (session.started) options.conversationId = session.conversationId;
    var directLine = window.WebChat.createDirectLine(options);
    directLine.connectionStatus$.subscribe((status) => {
      // 2 = Online, 4 = FailedToConnect, 5 = Ended (botframework-directlinejs ConnectionStatus).
      if (status === 2) {
        setStatus('');
        session.started = true;
        save(session);
      } else if (status === 4 || status === 5) {
        window.sessionStorage.removeItem(STORAGE_KEY);
        setStatus('The chat is not available right now. Please reload the page to try again.', true);
      }
    });
    window.WebChat.renderWebChat(
      {
        directLine: directLine,
        userID: session.userId,
        locale: navigator.language || 'en-US',
        styleOptions: {
          hideUploadButton: true,
          botAvatarInitials: 'OA',
          userAvatarInitials: 'You',
          suggestedActionLayout: 'flow',
          bubbleBorderRadius: 8,
          bubbleFromUserBorderRadius: 8,
        },
      },
      document.getElementById('webchat'),
    );
    var input = document.querySelector('#webchat input, #webchat textarea');
    if (input) input.focus();
  }

  if (window.self !== window.top) document.documentElement.className += ' embedded';
  if (!window.WebChat) {
    setStatus('The chat could not load. Please reload the page.', true);
    return;
  }
  var existing = saved();
  (existing ? Promise.resolve(existing) : fetchToken()).then(start).catch(() => {
    setStatus('The chat is not available right now. Please reload the page to try again.', true);
  });
})();
