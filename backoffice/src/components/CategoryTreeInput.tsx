import { useMemo } from 'react';
import { AutocompleteArrayInput, AutocompleteInput, useGetList } from 'react-admin';
import { trCollator } from '../i18n';

interface Node {
  id: string;
  name: string;
  level: number;
  parentId?: string;
}

/** Categories as a tree: each option shows its path, indented by level, siblings in Turkish order. */
export function useCategoryTree() {
  const { data = [], isPending } = useGetList<Node & { parent?: { id: string } }>('categories', { pagination: { page: 1, perPage: 500 }, sort: { field: 'sortOrder', order: 'ASC' }, filter: {} });
  const choices = useMemo(() => {
    const byParent = new Map<string | undefined, Node[]>();
    const byId = new Map<string, Node>();
    for (const c of data) {
      const n = { id: String(c.id), name: c.name, level: c.level, parentId: c.parent?.id };
      byId.set(n.id, n);
    }
    for (const n of byId.values()) {
      const key = n.parentId && byId.has(n.parentId) ? n.parentId : undefined;
      byParent.set(key, [...(byParent.get(key) ?? []), n]);
    }
    const out: { id: string; name: string; path: string; depth: number }[] = [];
    const walk = (parent: string | undefined, depth: number, prefix: string) => {
      for (const n of (byParent.get(parent) ?? []).sort((a, b) => trCollator.compare(a.name, b.name))) {
        const path = prefix ? `${prefix} › ${n.name}` : n.name;
        out.push({ id: n.id, name: n.name, path, depth });
        walk(n.id, depth + 1, path);
      }
    };
    walk(undefined, 0, '');
    return out;
  }, [data]);
  return { choices, isPending };
}

const renderOption = (o: { name: string; depth: number }) => `${'\u00a0\u00a0\u00a0'.repeat(o.depth)}${o.name}`;

/** Picks categories at any level (a filter includes each one's whole subtree). */
export function CategoryTreeInput(props: { source: string; label?: string; alwaysOn?: boolean; multiple?: boolean }) {
  const { choices, isPending } = useCategoryTree();
  const common = {
    source: props.source,
    label: props.label,
    choices,
    isPending,
    optionText: renderOption,
    inputText: (o: any) => o.path,
    matchSuggestion: (filter: string, o: any) => o.path.toLocaleLowerCase('tr').includes(filter.toLocaleLowerCase('tr')),
    sx: { minWidth: 240 },
  };
  return props.multiple === false ? <AutocompleteInput {...common} /> : <AutocompleteArrayInput {...common} />;
}
