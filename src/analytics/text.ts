import type { AnalyticsReport, DropReason, FunnelStep } from './report';

/** Human wording of the funnel steps and drop reasons, shared by the text and HTML reports. */
export const STEP_LABELS: Record<FunnelStep, string> = {
  asked: 'asked about an order',
  id_given: 'gave an order ID',
  confirmed: 'confirmed the ID',
  status_delivered: 'got the status',
};

export const DROP_LABELS: Record<DropReason, string> = {
  cancelled: 'said cancel',
  handoff: 'asked for a person',
  too_many_attempts: 'could not give a valid ID',
  not_found: 'order not found',
  backend_error: 'order system unavailable',
  no_reply: 'stopped answering',
  not_verified: 'failed the order check',
  locked_out: 'locked out after failed checks',
};

export function percent(share: number | undefined): string {
  return share === undefined ? '-' : `${(share * 100).toFixed(1)}%`;
}

/** The report as plain text for the terminal. */
export function renderText(report: AnalyticsReport): string {
  const lines: string[] = [];
  const { funnel, fallbacks, handoffs, feedback, satisfaction } = report;
  lines.push(`Conversation analytics (${report.period.from?.slice(0, 10) ?? '-'} to ${report.period.to?.slice(0, 10) ?? '-'})`);
  lines.push(`  conversations: ${report.conversations} (${report.activeConversations} with customer messages), customer messages: ${report.customerMessages}`);
  lines.push('');
  lines.push(`Order form funnel (${funnel.forms} form runs)`);
  for (const step of funnel.steps) lines.push(`  ${STEP_LABELS[step.step].padEnd(22)} ${String(step.forms).padStart(6)}  ${percent(step.share).padStart(7)}`);
  lines.push(
    `  runs with a malformed ID: ${funnel.formsWithInvalidIds} (${funnel.invalidIds} malformed IDs), runs with "no" at the confirmation: ${funnel.formsWithDenials}`,
  );
  lines.push('');
  lines.push('Where customers drop off');
  if (funnel.dropOffs.length === 0) lines.push('  (nobody left the form without a status)');
  for (const d of funnel.dropOffs) {
    lines.push(`  after "${STEP_LABELS[d.lastStep]}": ${DROP_LABELS[d.reason].padEnd(26)} ${String(d.forms).padStart(6)}  ${percent(d.share).padStart(7)}`);
  }
  lines.push('');
  lines.push(`Fallbacks: ${fallbacks.total} (${percent(fallbacks.rate)} of customer messages) ${JSON.stringify(fallbacks.byStage)}`);
  if (fallbacks.topUtterances.length > 0) lines.push('  most frequent misunderstood messages (add them to data/nlu.yml):');
  for (const u of fallbacks.topUtterances) lines.push(`  ${String(u.count).padStart(6)}  ${u.text}`);
  if (fallbacks.withoutText > 0) lines.push(`  ${fallbacks.withoutText} without stored text (transcript redaction)`);
  lines.push('');
  lines.push(
    `Handoffs: ${handoffs.requested} requests in ${handoffs.conversations} conversations (${percent(handoffs.rate)} of active conversations) ${JSON.stringify(handoffs.byReason)}; claimed ${handoffs.claimed}, resolved ${handoffs.resolved}`,
  );
  lines.push(
    `"Was this helpful?": asked ${feedback.asked}, answered ${feedback.answered} (${percent(feedback.responseRate)}), helpful ${feedback.helpful}, not helpful ${feedback.notHelpful} (${percent(feedback.helpfulRate)} helpful)`,
  );
  const v = report.verification;
  lines.push(
    `Order verification: asked ${v.asked}, passed ${JSON.stringify(v.passed)}, failed ${JSON.stringify(v.failed)} (${percent(v.passRate)} passed), lockouts ${v.lockouts}, refused while locked ${v.refusedLockedOut}, reused ${v.reused}`,
  );
  lines.push(
    `Satisfaction ratings: ${satisfaction.ratings}${satisfaction.averageShare === undefined ? '' : `, average ${percent(satisfaction.averageShare)} of the scale`} ${JSON.stringify(satisfaction.distribution)}`,
  );
  return `${lines.join('\n')}\n`;
}
