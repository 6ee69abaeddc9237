/**
 * What may name a frame or a map in a URL: DICOM UIDs (PS3.5 9.1: digits and
 * dots, at most 64 characters; we accept up to 128 as the store does) and the
 * workstation's own run ids (uuids). Anything else is refused before a lookup.
 */
const UID = /^[0-9]+(\.[0-9]+)*$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isDicomUid(value: string): boolean {
  return value.length > 0 && value.length <= 128 && UID.test(value);
}

export function isRunId(value: string): boolean {
  return UUID.test(value);
}

/** A frame index as it appears in a URL: a non-negative decimal integer without leading zeros. */
export function parseFrameIndex(value: string): number | null {
  if (!/^(0|[1-9][0-9]{0,5})$/.test(value)) return null;
  return Number(value);
}
