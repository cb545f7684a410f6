/**
 * Contact photos in GAL answers (EAS 14.1): Search gal:Picture (MS-ASCMD
 * 2.2.3.135.3) and ResolveRecipients Picture (2.2.3.135.2) follow the same
 * rules and share the Status values (MS-ASCMD 2.2.3.177.12, .13):
 * 1 with Data, 173 the person has no photo, 174 the photo is larger than
 * MaxSize, 175 MaxPictures photos were already returned in this response.
 * A photo that is not sent (173, 174) does not count towards MaxPictures.
 */
import type { DirectoryEntry } from '../../../backends/directory/types.ts';

/** Picture Status values (MS-ASCMD 2.2.3.177.13 gal:Picture, 2.2.3.177.12 Picture). */
export const PictureStatus = { Success: 1, NoPicture: 173, TooLarge: 174, LimitReached: 175 } as const;

export interface PictureAnswer {
  readonly status: number;
  readonly data?: Uint8Array;
}

/** Hands out the pictures of one response in order, counting against MaxPictures. */
export class PictureBudget {
  #sent = 0;

  constructor(private readonly limits: { readonly maxSize?: number; readonly maxPictures?: number }) {}

  /** The Picture element's content for `e` (whose `picture` was loaded). */
  next(e: DirectoryEntry): PictureAnswer {
    const data = e.picture;
    if (!data || data.length === 0) return { status: PictureStatus.NoPicture };
    if (this.limits.maxSize !== undefined && data.length > this.limits.maxSize) return { status: PictureStatus.TooLarge };
    if (this.limits.maxPictures !== undefined && this.#sent >= this.limits.maxPictures) return { status: PictureStatus.LimitReached };
    this.#sent++;
    return { status: PictureStatus.Success, data };
  }
}
