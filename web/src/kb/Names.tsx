import { Button, Group, Modal, Select, Stack, Text, TextInput } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { FormError, useSave } from '../admin/forms';
import { type Category, kbApi, type NameTranslation } from './model';

type Folder = { kind: 'category' | 'section'; id: string; name: string };

/**
 * Category and section names in the help centre's other languages: pick one, then a name (and description) per
 * enabled language. Pages in a language without one show the own name.
 */
export function NamesModal({ tree, onClose }: { tree: Category[]; onClose: () => void }) {
  const settings = useQuery({ queryKey: ['kb-settings'], queryFn: kbApi.settings });
  const folders: Folder[] = tree.flatMap((c) => [{ kind: 'category' as const, id: c.id, name: c.name }, ...c.sections.map((s) => ({ kind: 'section' as const, id: s.id, name: s.name }))]);
  const [picked, setPicked] = useState<string | null>(null);
  const folder = folders.find((f) => `${f.kind}:${f.id}` === picked);
  const locales = settings.data?.locales ?? [];
  return (
    <Modal opened onClose={onClose} title="Names in other languages" size="lg">
      <Stack>
        {settings.data && locales.length === 0 ? (
          <Text size="sm">No other languages yet: an admin adds them in the help centre settings (Translation languages).</Text>
        ) : (
          <>
            <Select
              label="Category or section"
              data={tree.map((c) => ({ group: c.name, items: [{ value: `category:${c.id}`, label: `${c.name} (category)` }, ...c.sections.map((s) => ({ value: `section:${s.id}`, label: s.name }))] }))}
              value={picked}
              onChange={setPicked}
              searchable
              data-autofocus
            />
            {folder && <FolderNames key={picked} folder={folder} locales={locales} />}
          </>
        )}
      </Stack>
    </Modal>
  );
}

function FolderNames({ folder, locales }: { folder: Folder; locales: string[] }) {
  const key = ['kb-names', folder.kind, folder.id];
  const names = useQuery({ queryKey: key, queryFn: () => (folder.kind === 'category' ? kbApi.categoryNames(folder.id) : kbApi.sectionNames(folder.id)) });
  if (!names.data) return null;
  return (
    <Stack gap="md">
      {locales.map((l) => (
        <LocaleName key={l} folder={folder} locale={l} saved={names.data.find((n) => n.locale === l)} queryKey={key} />
      ))}
    </Stack>
  );
}

function LocaleName({ folder, locale, saved, queryKey }: { folder: Folder; locale: string; saved?: NameTranslation; queryKey: string[] }) {
  const [name, setName] = useState(saved?.name ?? '');
  const [description, setDescription] = useState(saved?.description ?? '');
  const [message, setMessage] = useState<string | null>(null);
  const { error, save } = useSave([queryKey]);
  useEffect(() => {
    setName(saved?.name ?? '');
    setDescription(saved?.description ?? '');
  }, [saved]);
  const put = folder.kind === 'category' ? kbApi.saveCategoryName : kbApi.saveSectionName;
  const drop = folder.kind === 'category' ? kbApi.deleteCategoryName : kbApi.deleteSectionName;
  return (
    <Stack gap={4} role="group" aria-label={`${folder.name} in ${locale}`}>
      <FormError error={error} fieldsInPlace />
      <Group grow align="flex-start" wrap="wrap">
        <TextInput label={`Name (${locale})`} placeholder={folder.name} value={name} onChange={(e) => setName(e.currentTarget.value)} maxLength={100} error={error?.fieldError('name')} />
        <TextInput label={`Description (${locale})`} value={description} onChange={(e) => setDescription(e.currentTarget.value)} maxLength={1000} error={error?.fieldError('description')} />
      </Group>
      <Group gap="xs">
        <Button size="xs" onClick={() => void save(() => put(folder.id, locale, { name, description }), () => setMessage(`Saved the ${locale} name`))} disabled={name === (saved?.name ?? '') && description === (saved?.description ?? '')}>
          Save {locale} name
        </Button>
        {saved && (
          <Button size="xs" variant="subtle" color="red" onClick={() => void save(() => drop(folder.id, locale), () => setMessage(`Removed the ${locale} name`))}>
            Remove {locale} name
          </Button>
        )}
        {message && (
          <Text size="sm" c="green.8" role="status">
            {message}
          </Text>
        )}
      </Group>
    </Stack>
  );
}
