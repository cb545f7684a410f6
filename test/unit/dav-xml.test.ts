import { describe, expect, it } from 'vitest';
import { componentNames, hasResourceType, hrefIn, parseMultistatus, textValue } from '../../backends/dav/dav-xml.ts';

/** Multistatus answers as RFC 6578 3.8 and RFC 4791 7.9 print them, and with other prefixes. */
describe('multistatus parsing', () => {
  it('reads a sync-collection answer (RFC 6578 3.8): changed members with ETags, a removed one, the new token', () => {
    const xml = `<?xml version="1.0" encoding="utf-8" ?>
<D:multistatus xmlns:D="DAV:">
  <D:response><D:href>http://www.example.com/home/cyrusdaboo/test.doc</D:href>
    <D:propstat><D:prop><D:getetag>"00001-abcd1"</D:getetag></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>
  <D:response><D:href>http://www.example.com/home/cyrusdaboo/vcard.vcf</D:href>
    <D:propstat><D:prop><D:getetag>"00002-abcd1"</D:getetag></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>
  <D:response><D:href>http://www.example.com/home/cyrusdaboo/removed.txt</D:href><D:status>HTTP/1.1 404 Not Found</D:status></D:response>
  <D:sync-token>http://example.com/ns/sync/1234</D:sync-token>
</D:multistatus>`;
    const ms = parseMultistatus(xml);
    expect(ms.syncToken).toBe('http://example.com/ns/sync/1234');
    expect(ms.responses.map((r) => [r.href, r.status, textValue(r.props['getetag'])])).toEqual([
      ['http://www.example.com/home/cyrusdaboo/test.doc', undefined, '"00001-abcd1"'],
      ['http://www.example.com/home/cyrusdaboo/vcard.vcf', undefined, '"00002-abcd1"'],
      ['http://www.example.com/home/cyrusdaboo/removed.txt', 404, undefined],
    ]);
  });

  it('reads calendar-data under a default namespace and drops 404 propstats', () => {
    const xml = `<multistatus xmlns="DAV:" xmlns:cal="urn:ietf:params:xml:ns:caldav"><response><href>/bernard/work/abcd1.ics</href>
<propstat><prop><getetag>"fffff-abcd1"</getetag><cal:calendar-data>BEGIN:VCALENDAR&#13;
VERSION:2.0&#13;
END:VCALENDAR&#13;
</cal:calendar-data></prop><status>HTTP/1.1 200 OK</status></propstat>
<propstat><prop><displayname/></prop><status>HTTP/1.1 404 Not Found</status></propstat></response></multistatus>`;
    const [r] = parseMultistatus(xml).responses;
    expect(r!.href).toBe('/bernard/work/abcd1.ics');
    expect(textValue(r!.props['calendar-data'])).toBe('BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n');
    expect('displayname' in r!.props).toBe(false);
  });

  it('reads hrefs, resource types and component sets with lower-case prefixes', () => {
    const xml = `<d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:response><d:href>/alice/</d:href><d:propstat><d:prop>
<d:current-user-principal><d:href>/principals/alice/</d:href></d:current-user-principal>
<d:resourcetype><d:collection/><c:calendar/></d:resourcetype>
<c:supported-calendar-component-set><c:comp name="VEVENT"/><c:comp name="vtodo"/></c:supported-calendar-component-set>
</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response></d:multistatus>`;
    const [r] = parseMultistatus(xml).responses;
    expect(hrefIn(r!.props['current-user-principal'])).toBe('/principals/alice/');
    expect(hasResourceType(r!.props['resourcetype'], 'calendar')).toBe(true);
    expect(hasResourceType(r!.props['resourcetype'], 'addressbook')).toBe(false);
    expect(componentNames(r!.props['supported-calendar-component-set'])).toEqual(['VEVENT', 'VTODO']);
  });

  it('gives nothing for a document that is not a multistatus', () => {
    expect(parseMultistatus('<html><body>error</body></html>').responses).toEqual([]);
  });
});
