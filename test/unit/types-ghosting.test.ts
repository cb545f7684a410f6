import { describe, expect, it } from 'vitest';
import { applyChange, CALENDAR_ELEMENTS, CONTACT_ELEMENTS } from '../../protocol/types/ghosting.ts';
import type { EasCalendar } from '../../protocol/types/calendar.ts';
import type { EasContact } from '../../protocol/types/contact.ts';

const stored: EasContact = {
  firstName: 'Don',
  lastName: 'Funk',
  mobilePhoneNumber: '+1 555 0100',
  picture: 'AAAA',
  birthday: new Date('1966-06-04T00:00:00Z'),
  body: { type: 1, data: 'met at the conference' },
};

describe('ghosted properties (MS-ASCMD 2.2.3.179 Supported)', () => {
  it('without Supported, an omitted property is deleted', () => {
    const after = applyChange(stored, { firstName: 'Donald', lastName: 'Funk' }, CONTACT_ELEMENTS);
    expect(after).toEqual({ firstName: 'Donald', lastName: 'Funk', body: stored.body });
  });

  it('with Supported, an omitted property that is not listed keeps its value', () => {
    const supported = [
      { ns: 'Contacts', name: 'FirstName' },
      { ns: 'Contacts', name: 'LastName' },
      { ns: 'Contacts', name: 'MobilePhoneNumber' },
    ];
    const after = applyChange(stored, { firstName: 'Donald', lastName: 'Funk' }, CONTACT_ELEMENTS, supported);
    // MobilePhoneNumber was supported and omitted: deleted. Picture and Birthday were not listed: ghosted.
    expect(after).toEqual({ firstName: 'Donald', lastName: 'Funk', picture: 'AAAA', birthday: stored.birthday, body: stored.body });
  });

  it('keeps the body when a device leaves it out, and replaces it when sent', () => {
    expect(applyChange(stored, { firstName: 'D' }, CONTACT_ELEMENTS).body).toEqual(stored.body);
    expect(applyChange(stored, { body: { type: 1, data: 'new' } }, CONTACT_ELEMENTS).body).toEqual({ type: 1, data: 'new' });
  });

  it('keeps server-owned calendar properties (UID, organizer) and honours either Location element', () => {
    const ev: EasCalendar = { uid: 'u1', organizerEmail: 'a@x', subject: 'S', location: 'Room', startTime: new Date(0) };
    const after = applyChange(ev, { subject: 'S2', startTime: new Date(1000) }, CALENDAR_ELEMENTS, [{ ns: 'AirSyncBase', name: 'Location' }]);
    expect(after).toEqual({ uid: 'u1', organizerEmail: 'a@x', subject: 'S2', startTime: new Date(1000) });
  });
});
