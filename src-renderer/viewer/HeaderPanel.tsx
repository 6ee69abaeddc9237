/** The DICOM header summary of the image on screen (patient fields are shown in the title bar only). */
import Box from '@mui/material/Box';
import type { InstanceView } from '../../src-main/api/contract';

const LABELS: ReadonlyArray<[string, string]> = [
  ['modality', 'Modality (0008,0060)'],
  ['sopClassUid', 'SOP Class (0008,0016)'],
  ['sopInstanceUid', 'SOP Instance (0008,0018)'],
  ['seriesDescription', 'Series description (0008,103E)'],
  ['seriesNumber', 'Series number (0020,0011)'],
  ['instanceNumber', 'Instance number (0020,0013)'],
  ['transferSyntaxName', 'Transfer syntax (0002,0010)'],
  ['rows', 'Rows (0028,0010)'],
  ['columns', 'Columns (0028,0011)'],
  ['numberOfFrames', 'Frames (0028,0008)'],
  ['photometricInterpretation', 'Photometric (0028,0004)'],
  ['bitsAllocated', 'Bits allocated (0028,0100)'],
  ['bitsStored', 'Bits stored (0028,0101)'],
  ['pixelRepresentation', 'Pixel representation (0028,0103)'],
  ['rescaleSlope', 'Rescale slope (0028,1053)'],
  ['rescaleIntercept', 'Rescale intercept (0028,1052)'],
  ['windowCenter', 'Window center (0028,1050)'],
  ['windowWidth', 'Window width (0028,1051)'],
  ['pixelSpacing', 'Pixel spacing (0028,0030)'],
  ['sliceThickness', 'Slice thickness (0018,0050)'],
  ['imagePositionPatient', 'Image position (0020,0032)'],
  ['imageOrientationPatient', 'Image orientation (0020,0037)'],
];

function show(value: unknown): string {
  if (value === undefined || value === null) return '–';
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'number' ? Number(v.toFixed(4)) : String(v))).join('\\');
  return String(value);
}

export function HeaderPanel({ instance }: { instance: InstanceView | null }) {
  if (!instance) return null;
  return (
    <Box component="table" aria-label="DICOM header" sx={{ width: '100%', borderCollapse: 'collapse', fontSize: 11.5, '& td': { py: 0.25, pr: 1, verticalAlign: 'top', borderBottom: '1px solid rgba(200,215,230,0.06)' } }}>
      <tbody>
        {LABELS.map(([key, label]) => (
          <tr key={key}>
            <Box component="td" sx={{ color: 'text.secondary', whiteSpace: 'nowrap' }}>{label}</Box>
            <Box component="td" sx={{ wordBreak: 'break-all', fontFamily: 'monospace' }}>{show(instance.attributes[key])}</Box>
          </tr>
        ))}
      </tbody>
    </Box>
  );
}
