/**
 * Settings › PACS: the saved DICOMweb endpoints (add, edit, test, remove),
 * where their secrets are kept, and the PACS options (auto-score retrieved
 * studies, allow sending results back). A password or token is typed once
 * and never shown again: the host only says whether one is set.
 */
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import FormControlLabel from '@mui/material/FormControlLabel';
import MenuItem from '@mui/material/MenuItem';
import Stack from '@mui/material/Stack';
import Switch from '@mui/material/Switch';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import type { FormEvent } from 'react';
import { useState } from 'react';
import type {
  PacsEndpoint,
  PacsEndpointInput,
  PacsOptions,
  PacsTestResult,
} from '../../src-main/api/contract';
import { toNormscopeError } from '../api/error-value';
import { useApi, useResource } from '../api/hooks';
import { useNotifier } from '../components/Notifications';

type AuthKind = PacsEndpoint['auth']['kind'];

interface Draft {
  id?: string;
  name: string;
  baseUrl: string;
  kind: AuthKind;
  username: string;
  /** empty: keep the stored secret */
  secret: string;
}

const EMPTY: Draft = { name: '', baseUrl: '', kind: 'none', username: '', secret: '' };

function draftOf(endpoint: PacsEndpoint): Draft {
  return {
    id: endpoint.id,
    name: endpoint.name,
    baseUrl: endpoint.baseUrl,
    kind: endpoint.auth.kind,
    username: endpoint.auth.kind === 'basic' ? endpoint.auth.username : '',
    secret: '',
  };
}

function inputOf(draft: Draft): PacsEndpointInput {
  const secret = draft.secret === '' ? undefined : draft.secret;
  const auth: PacsEndpointInput['auth'] =
    draft.kind === 'none'
      ? { kind: 'none' }
      : draft.kind === 'basic'
        ? { kind: 'basic', username: draft.username, ...(secret ? { password: secret } : {}) }
        : { kind: 'bearer', ...(secret ? { token: secret } : {}) };
  return { ...(draft.id ? { id: draft.id } : {}), name: draft.name, baseUrl: draft.baseUrl, auth };
}

function authText(auth: PacsEndpoint['auth']): string {
  if (auth.kind === 'none') return 'None';
  if (auth.kind === 'basic') return `Basic: ${auth.username} (password ${auth.secret})`;
  return `Bearer token (${auth.secret})`;
}

function EndpointForm(props: { initial: Draft; onDone(saved: boolean): void }) {
  const api = useApi();
  const [draft, setDraft] = useState(props.initial);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const editing = Boolean(props.initial.id);
  const edit = <K extends keyof Draft>(key: K, value: Draft[K]) =>
    setDraft((d) => ({ ...d, [key]: value }));

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setSaving(true);
    setError(null);
    try {
      await api.call('pacs.endpoints.save', inputOf(draft));
      props.onDone(true);
    } catch (reason) {
      setError(`Not saved: ${toNormscopeError(reason).message}`);
    } finally {
      setSaving(false);
    }
  };

  const secretLabel = draft.kind === 'basic' ? 'Password' : 'Token';
  return (
    <Box
      component="form"
      onSubmit={save}
      aria-label={editing ? 'Edit PACS endpoint' : 'Add PACS endpoint'}
      noValidate
    >
      <Stack spacing={2} sx={{ maxWidth: 560, mt: 1 }}>
        {error && (
          <Alert severity="error" role="alert">
            {error}
          </Alert>
        )}
        <TextField
          label="Name"
          value={draft.name}
          onChange={(e) => edit('name', e.target.value)}
          required
          size="small"
        />
        <TextField
          label="DICOMweb root URL"
          value={draft.baseUrl}
          onChange={(e) => edit('baseUrl', e.target.value)}
          placeholder="http://127.0.0.1:8042/dicom-web"
          required
          size="small"
        />
        <TextField
          select
          label="Authentication"
          value={draft.kind}
          onChange={(e) => edit('kind', e.target.value as AuthKind)}
          size="small"
        >
          <MenuItem value="none">None</MenuItem>
          <MenuItem value="basic">User name and password (HTTP basic)</MenuItem>
          <MenuItem value="bearer">Bearer token</MenuItem>
        </TextField>
        {draft.kind === 'basic' && (
          <TextField
            label="User name"
            value={draft.username}
            onChange={(e) => edit('username', e.target.value)}
            size="small"
            autoComplete="off"
          />
        )}
        {draft.kind !== 'none' && (
          <TextField
            label={secretLabel}
            type="password"
            value={draft.secret}
            onChange={(e) => edit('secret', e.target.value)}
            size="small"
            autoComplete="new-password"
            helperText={
              editing ? `Leave empty to keep the stored ${secretLabel.toLowerCase()}.` : undefined
            }
          />
        )}
        <Box sx={{ display: 'flex', gap: 1 }}>
          <Button type="submit" variant="contained" disabled={saving}>
            {saving ? 'Saving…' : editing ? 'Save endpoint' : 'Add endpoint'}
          </Button>
          <Button
            type="button"
            color="inherit"
            onClick={() => props.onDone(false)}
            disabled={saving}
          >
            Cancel
          </Button>
        </Box>
      </Stack>
    </Box>
  );
}

function OptionsSwitches() {
  const api = useApi();
  const { reportError } = useNotifier();
  const options = useResource('pacs.options.get', {});
  const update = async (patch: Partial<PacsOptions>) => {
    try {
      options.replace(await api.call('pacs.options.update', patch));
    } catch (reason) {
      reportError('Saving the PACS options', reason);
    }
  };
  if (!options.data) return null;
  return (
    <Stack>
      <FormControlLabel
        control={
          <Switch
            checked={options.data.autoScore}
            onChange={(_e, on) => void update({ autoScore: on })}
          />
        }
        label="Score retrieved studies with the active model when a retrieval ends"
      />
      <FormControlLabel
        control={
          <Switch
            checked={options.data.pushResults}
            onChange={(_e, on) => void update({ pushResults: on })}
          />
        }
        label="Allow sending results back to a PACS (each send is recorded in the audit trail)"
      />
    </Stack>
  );
}

export function PacsSettingsPanel() {
  const api = useApi();
  const { reportError } = useNotifier();
  const listed = useResource('pacs.endpoints.list', {});
  const [form, setForm] = useState<Draft | null>(null);
  const [tests, setTests] = useState<Record<string, PacsTestResult | 'running'>>({});

  const test = async (id: string) => {
    setTests((t) => ({ ...t, [id]: 'running' }));
    try {
      const result = await api.call('pacs.endpoints.test', { id });
      setTests((t) => ({ ...t, [id]: result }));
    } catch (reason) {
      setTests((t) => ({
        ...t,
        [id]: {
          ok: false,
          message: toNormscopeError(reason).message,
          errorName: null,
          latencyMs: null,
        },
      }));
    }
  };

  const remove = async (endpoint: PacsEndpoint) => {
    try {
      await api.call('pacs.endpoints.remove', { id: endpoint.id });
      listed.reload();
    } catch (reason) {
      reportError(`Removing ${endpoint.name}`, reason);
    }
  };

  return (
    <Box component="section" aria-labelledby="pacs-settings-title" sx={{ mt: 4, maxWidth: 900 }}>
      <Typography id="pacs-settings-title" variant="h6" component="h2">
        PACS (DICOMweb)
      </Typography>
      {listed.error && !listed.data && (
        <Alert severity="error">Could not load the PACS endpoints: {listed.error.message}</Alert>
      )}
      {listed.data && (
        <>
          <Typography
            variant="body2"
            color="text.secondary"
            sx={{ mb: 1 }}
            data-testid="pacs-secret-storage"
          >
            Passwords and tokens: {listed.data.secretStorage.description}
          </Typography>
          {listed.data.endpoints.length > 0 && (
            <Table size="small" aria-label="PACS endpoints">
              <TableHead>
                <TableRow>
                  <TableCell>Name</TableCell>
                  <TableCell>DICOMweb root</TableCell>
                  <TableCell>Authentication</TableCell>
                  <TableCell>Connection</TableCell>
                  <TableCell />
                </TableRow>
              </TableHead>
              <TableBody>
                {listed.data.endpoints.map((endpoint) => {
                  const result = tests[endpoint.id];
                  return (
                    <TableRow key={endpoint.id}>
                      <TableCell>{endpoint.name}</TableCell>
                      <TableCell sx={{ wordBreak: 'break-all' }}>{endpoint.baseUrl}</TableCell>
                      <TableCell>{authText(endpoint.auth)}</TableCell>
                      <TableCell>
                        {result === 'running' && 'Testing…'}
                        {result && result !== 'running' && (
                          <Alert
                            severity={result.ok ? 'success' : 'error'}
                            sx={{ py: 0 }}
                            role="status"
                          >
                            {result.message}
                          </Alert>
                        )}
                      </TableCell>
                      <TableCell sx={{ whiteSpace: 'nowrap' }}>
                        <Button
                          size="small"
                          onClick={() => void test(endpoint.id)}
                          disabled={result === 'running'}
                        >
                          Test connection
                        </Button>
                        <Button size="small" onClick={() => setForm(draftOf(endpoint))}>
                          Edit
                        </Button>
                        <Button size="small" color="error" onClick={() => void remove(endpoint)}>
                          Remove
                        </Button>
                      </TableCell>
                    </TableRow>
                  );
                })}
              </TableBody>
            </Table>
          )}
          {form ? (
            <EndpointForm
              key={form.id ?? 'new'}
              initial={form}
              onDone={(saved) => {
                setForm(null);
                if (saved) listed.reload();
              }}
            />
          ) : (
            <Button sx={{ mt: 1 }} variant="outlined" onClick={() => setForm(EMPTY)}>
              Add PACS endpoint
            </Button>
          )}
          <Box sx={{ mt: 2 }}>
            <OptionsSwitches />
          </Box>
        </>
      )}
    </Box>
  );
}
