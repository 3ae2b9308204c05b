import { useState } from 'react';
import { Button, CircularProgress } from '@mui/material';
import UploadFileIcon from '@mui/icons-material/UploadFile';
import DownloadIcon from '@mui/icons-material/Download';
import { Datagrid, FilterButton, FunctionField, List, SearchInput, TextField, TextInput, TopToolbar, useNotify, useRefresh, useTranslate, BooleanInput } from 'react-admin';
import { download, upload } from '../../data/graphql';
import { LocaleDateField } from '../../components/fields';

function UploadButton() {
  const translate = useTranslate();
  const notify = useNotify();
  const refresh = useRefresh();
  const [busy, setBusy] = useState(false);
  return (
    <Button component="label" size="small" startIcon={busy ? <CircularProgress size={16} /> : <UploadFileIcon />} disabled={busy}>
      {translate('app.action.upload_document')}
      <input
        type="file"
        hidden
        aria-label={translate('app.action.upload_document')}
        onChange={async (e) => {
          const file = e.target.files?.[0];
          e.target.value = '';
          if (!file) return;
          setBusy(true);
          try {
            await upload('/documents', file);
            notify('app.message.uploaded', { type: 'success' });
            refresh();
          } catch (err: any) {
            notify(err?.message ?? 'ra.notification.http_error', { type: 'error' });
          } finally {
            setBusy(false);
          }
        }}
      />
    </Button>
  );
}

const filters = [<SearchInput key="q" source="q" alwaysOn />, <TextInput key="folder" source="folder" />, <BooleanInput key="ia" source="includeArchived" />];

export function DocumentList() {
  const translate = useTranslate();
  const notify = useNotify();
  return (
    <List filters={filters} sort={{ field: 'createdAt', order: 'DESC' }} actions={<TopToolbar><FilterButton /><UploadButton /></TopToolbar>}>
      <Datagrid rowClick="edit" bulkActionButtons={false}>
        <TextField source="name" />
        <TextField source="folder" />
        <TextField source="mimeType" />
        <FunctionField source="size" render={(r: any) => `${Math.ceil(r.size / 1024)} KB`} />
        <TextField source="uploadedBy.name" label="resources.documents.fields.uploadedBy" sortable={false} />
        <LocaleDateField source="createdAt" showTime />
        <FunctionField
          label=""
          render={(r: any) => (
            <Button size="small" startIcon={<DownloadIcon />} onClick={(e) => (e.stopPropagation(), download(r.downloadUrl, r.fileName).catch((err) => notify(err.message, { type: 'error' })))}>
              {translate('app.action.download')}
            </Button>
          )}
        />
      </Datagrid>
    </List>
  );
}
