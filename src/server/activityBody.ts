/**
 * Screens a POSTed body before the adapter sees it, so malformed input gets a 400 that says
 * what is wrong rather than a 500 from deep inside the SDK.
 */
export function checkActivityBody(body: unknown): string | undefined {
  // What only /api/messages needs. Field shapes, counts, text length and depth are the shared
  // gate's (src/server/inbound.ts, checkActivityLimits), which runs next on every route.
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    return 'The body must be a JSON object (a Bot Framework activity) sent with Content-Type: application/json.';
  }
  const a = body as Record<string, unknown>;
  if (typeof a.type !== 'string' || a.type.trim() === '') return 'The activity needs a "type", such as "message".';
  const conversation = a.conversation as Record<string, unknown> | undefined;
  if (!conversation || typeof conversation !== 'object' || typeof conversation.id !== 'string' || conversation.id === '') {
    return 'The activity needs "conversation.id".';
  }
  if (a.deliveryMode !== 'expectReplies' && (typeof a.serviceUrl !== 'string' || a.serviceUrl === '')) {
    return 'The activity needs "serviceUrl" (where replies go), unless "deliveryMode" is "expectReplies".';
  }
  return undefined;
}
