/*
 * One-line embed for any website:
 *   <script src="https://bot.example.com/webchat/embed.js" async></script>
 * Adds a chat button in the corner that opens the bot's Web Chat page in an iframe. The page
 * runs on the bot's origin, so the host site needs no CORS setup and never holds a token.
 * Optional attributes on the script tag: data-title="Order help", data-color="#2563eb".
 */
(() => {
  var script = document.currentScript;
  if (!script || document.getElementById('order-bot-launcher')) return;
  var origin = new URL(script.src, window.location.href);
  var pageUrl = new URL('../webchat', origin).href;
  var title = script.getAttribute('data-title') || 'Chat with us';
  var color = script.getAttribute('data-color') || '#2563eb';

  var frame = document.createElement('iframe');
  frame.id = 'order-bot-frame';
  frame.title = title;
  frame.allow = 'clipboard-write';
  frame.style.cssText =
    'position:fixed;right:16px;bottom:84px;width:min(380px,calc(100vw - 32px));height:min(600px,calc(100vh - 120px));border:0;border-radius:12px;box-shadow:0 8px 32px rgba(0,0,0,.25);background:#fff;display:none;z-index:2147483646';

  var button = document.createElement('button');
  button.id = 'order-bot-launcher';
  button.type = 'button';
  button.setAttribute('aria-label', title);
  button.setAttribute('aria-expanded', 'false');
  button.textContent = '\u{1F4AC}';
  button.style.cssText =
    'position:fixed;right:16px;bottom:16px;width:56px;height:56px;border:0;border-radius:50%;background:' +
    color +
    ';color:#fff;font-size:26px;cursor:pointer;box-shadow:0 4px 16px rgba(0,0,0,.3);z-index:2147483647';
  button.addEventListener('click', () => {
    var open = frame.style.display === 'none';
    if (open && !frame.src) frame.src = pageUrl; // load the chat only when first opened
    frame.style.display = open ? 'block' : 'none';
    button.setAttribute('aria-expanded', String(open));
  });

  function mount() {
    document.body.appendChild(frame);
    document.body.appendChild(button);
  }
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount);
})();
