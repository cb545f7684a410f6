import { easNoteToIcs, icsToEasNote } from '../../../backends/caldav/journal.ts';
import { FolderType } from '../../../protocol/commands/folder-sync.ts';
import { noteFromApplicationData, noteToApplicationData, type EasNote } from '../../../protocol/types/note.ts';
import { shapeItemBody } from './classes.ts';
import { END_OF_TIME, type DavItemClass } from './item-class.ts';

/**
 * MS-ASNOTE over CalDAV (EAS_NOTES_BACKEND=caldav): VJOURNAL resources of a
 * calendar collection whose component set lists VJOURNAL (folder types
 * 10 / 17). Notes have no date filter.
 */
export const noteClass: DavItemClass<EasNote> = {
  className: 'Notes',
  kind: 'caldav',
  component: 'VJOURNAL',
  defaultType: FolderType.Notes,
  userType: FolderType.UserNotes,
  contentType: 'text/calendar; charset=utf-8',
  extension: '.ics',
  dateFilter: false,
  parse(data) {
    const p = icsToEasNote(data);
    return { item: p.item, uid: p.uid, date: END_OF_TIME, warnings: [] };
  },
  inWindow: () => true,
  toApplicationData(item, version, options) {
    const body = shapeItemBody(item.body, options, version);
    const { body: _b, ...rest } = item;
    return noteToApplicationData({ ...rest, ...(body ? { body } : {}) }, version);
  },
  fromApplicationData: (appData, version) => noteFromApplicationData(appData, version),
  serialize(item, opts) {
    return { data: easNoteToIcs(item, { uid: opts.uid, ...(opts.base !== undefined ? { base: opts.base } : {}) }), warnings: [] };
  },
};
