/**
 * An RFC 3464 delivery report as a mail system sends it back to support@localhost: mail to `to` failed with
 * `status` (5.x.x permanent, 4.x.x temporary). `returned`: the header lines of the failed message it quotes (none:
 * it quotes nothing, as a forger who never saw our mail would).
 */
export function deliveryReport(o: { to: string; status?: string; returned?: string[]; messageId?: string }): string {
  const status = o.status ?? '5.1.1';
  return [
    'From: Mail Delivery System <MAILER-DAEMON@mx.example.org>',
    'To: support@localhost',
    'Subject: Undelivered Mail Returned to Sender',
    `Message-ID: <${o.messageId ?? `dsn-${Math.random()}@mx.example.org`}>`,
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status; boundary="B"',
    '',
    '--B',
    'Content-Type: text/plain',
    '',
    'Your message could not be delivered.',
    '--B',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.example.org',
    '',
    `Final-Recipient: rfc822; ${o.to}`,
    'Action: failed',
    `Status: ${status}`,
    `Diagnostic-Code: smtp; ${status.startsWith('5') ? '550' : '452'} ${status} User unknown`,
    ...(o.returned ? ['--B', 'Content-Type: text/rfc822-headers', '', ...o.returned] : []),
    '--B--',
    '',
  ].join('\r\n');
}
