import type { AnalyticsReport } from './report';
import { columns, escapeXml, horizontalBars, lineChart, stackedBar } from './svg';
import { DROP_LABELS, percent, STEP_LABELS } from './text';

/**
 * The report as one self-contained HTML page with inline SVG charts. A strict
 * Content-Security-Policy forbids scripts and remote content: the page shows customer
 * messages (escaped), so it must never run anything.
 */
export function renderHtml(report: AnalyticsReport): string {
  const { funnel, fallbacks, handoffs, feedback, satisfaction } = report;
  const period = `${report.period.from?.slice(0, 10) ?? '-'} to ${report.period.to?.slice(0, 10) ?? '-'}`;
  const kpis: [string, string][] = [
    ['Conversations', String(report.conversations)],
    ['Customer messages', String(report.customerMessages)],
    ['Forms completed', percent(funnel.steps[funnel.steps.length - 1]?.share)],
    ['Fallback rate', percent(fallbacks.rate)],
    ['Handoff rate', percent(handoffs.rate)],
    ['Found it helpful', percent(feedback.helpfulRate)],
  ];

  const sections = [
    section(
      `Order form funnel <small>${funnel.forms} form runs</small>`,
      horizontalBars(
        funnel.steps.map((s) => ({ label: STEP_LABELS[s.step], value: s.forms, note: `${s.forms} (${percent(s.share)})` })),
        { color: '#2b6cb0' },
      ) +
        `<p>${funnel.formsWithInvalidIds} runs had a malformed order ID (${funnel.invalidIds} in all); ${funnel.formsWithDenials} had a "no" at the confirmation.</p>`,
    ),
    section(
      'Where customers drop off',
      funnel.dropOffs.length === 0
        ? '<p>Nobody left the form without a status.</p>'
        : horizontalBars(
            funnel.dropOffs.map((d) => ({
              label: `after "${STEP_LABELS[d.lastStep]}": ${DROP_LABELS[d.reason]}`,
              value: d.forms,
              note: `${d.forms} (${percent(d.share)})`,
            })),
            { labelWidth: 380, width: 760 },
          ),
    ),
    section(
      `"Was this helpful?" <small>asked ${feedback.asked}, answered ${feedback.answered} (${percent(feedback.responseRate)})</small>`,
      feedback.answered === 0
        ? '<p>No answers yet.</p>'
        : stackedBar([
            { label: 'Helpful', value: feedback.helpful, note: `${feedback.helpful} (${percent(feedback.helpfulRate)})` },
            { label: 'Not helpful', value: feedback.notHelpful },
          ]),
    ),
    section(
      `Satisfaction ratings <small>${satisfaction.ratings} ratings${satisfaction.averageShare === undefined ? '' : `, average ${percent(satisfaction.averageShare)} of the scale`}</small>`,
      satisfaction.ratings === 0 ? '<p>No ratings yet.</p>' : columns(Object.entries(satisfaction.distribution).map(([label, value]) => ({ label, value }))),
    ),
    section(
      `Order verification <small>asked ${report.verification.asked}, ${percent(report.verification.passRate)} passed; lockouts ${report.verification.lockouts}, refused while locked ${report.verification.refusedLockedOut}, reused ${report.verification.reused}</small>`,
      Object.keys(report.verification.passed).length + Object.keys(report.verification.failed).length === 0
        ? '<p>No order checks.</p>'
        : horizontalBars([
            ...Object.entries(report.verification.passed).map(([method, value]) => ({ label: `passed (${method})`, value })),
            ...Object.entries(report.verification.failed).map(([method, value]) => ({ label: `failed (${method})`, value })),
          ]),
    ),
    section(
      `Handoffs <small>${handoffs.requested} requests, ${percent(handoffs.rate)} of active conversations; claimed ${handoffs.claimed}, resolved ${handoffs.resolved}</small>`,
      Object.keys(handoffs.byReason).length === 0
        ? '<p>No handoffs.</p>'
        : horizontalBars(Object.entries(handoffs.byReason).map(([label, value]) => ({ label, value }))),
    ),
    section(
      `Fallbacks <small>${fallbacks.total}, ${percent(fallbacks.rate)} of customer messages</small>`,
      horizontalBars(Object.entries(fallbacks.byStage).map(([label, value]) => ({ label, value }))) +
        '<h3>Most frequent misunderstood messages: candidates for data/nlu.yml</h3>' +
        (fallbacks.topUtterances.length === 0
          ? '<p>None stored.</p>'
          : `<table><thead><tr><th>count</th><th>message</th></tr></thead><tbody>${fallbacks.topUtterances
              .map((u) => `<tr><td>${u.count}</td><td>${escapeXml(u.text)}</td></tr>`)
              .join('')}</tbody></table>`) +
        (fallbacks.withoutText > 0 ? `<p>${fallbacks.withoutText} fallbacks without stored text (transcript redaction).</p>` : ''),
    ),
    section(
      'By day',
      report.daily.length === 0
        ? '<p>No conversations.</p>'
        : lineChart(
            report.daily.map((d) => d.date),
            [
              { name: 'conversations', values: report.daily.map((d) => d.conversations) },
              { name: 'statuses delivered', values: report.daily.map((d) => d.statusesDelivered) },
              { name: 'fallbacks', values: report.daily.map((d) => d.fallbacks) },
              { name: 'handoffs', values: report.daily.map((d) => d.handoffs) },
            ],
          ),
    ),
  ];

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Conversation analytics ${escapeXml(period)}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 980px; color: #1a202c; padding: 0 1rem; }
h1 { margin-bottom: 0.2rem; } small { color: #4a5568; font-weight: normal; font-size: 0.8em; }
.kpis { display: grid; grid-template-columns: repeat(auto-fill, minmax(140px, 1fr)); gap: 0.8rem; margin: 1.5rem 0; }
.kpi { border: 1px solid #e2e8f0; border-radius: 8px; padding: 0.8rem; } .kpi b { display: block; font-size: 1.5rem; }
section { margin: 2rem 0; } table { border-collapse: collapse; } td, th { border-bottom: 1px solid #e2e8f0; padding: 0.3rem 0.8rem; text-align: left; }
</style>
</head>
<body>
<h1>Conversation analytics</h1>
<p>${escapeXml(period)} &middot; generated ${escapeXml(report.generatedAt)}</p>
<div class="kpis">${kpis.map(([k, v]) => `<div class="kpi"><b>${escapeXml(v)}</b>${escapeXml(k)}</div>`).join('')}</div>
${sections.join('\n')}
</body>
</html>
`;
}

function section(title: string, body: string): string {
  return `<section><h2>${title}</h2>\n${body}\n</section>`;
}
