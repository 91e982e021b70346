//! Keyboard use of the partner list: "/" to search, arrows to move the
//! selection, Enter to open it. Other inputs keep their own keys.
import { useEffect, type RefObject } from 'react';

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

/** Elements whose own Enter must not be taken over (links, buttons, fields). */
function isInteractive(target: EventTarget | null): boolean {
  return isTyping(target) || (target instanceof HTMLElement && target.closest('a, button, [role="button"]') !== null);
}

type Keys = {
  searchRef: RefObject<HTMLInputElement | null>;
  count: number;
  setSelected: (update: (i: number) => number) => void;
  openSelected: () => void;
};

export function useListKeys({ searchRef, count, setSelected, openSelected }: Keys) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      const inSearch = e.target === searchRef.current;
      if (e.key === '/' && !isTyping(e.target)) {
        e.preventDefault();
        searchRef.current?.focus();
      } else if ((e.key === 'ArrowDown' || e.key === 'ArrowUp') && (inSearch || !isTyping(e.target))) {
        if (count === 0) return;
        e.preventDefault();
        const step = e.key === 'ArrowDown' ? 1 : -1;
        setSelected((i) => Math.max(0, Math.min(count - 1, i + step)));
      } else if (e.key === 'Enter' && (inSearch || !isInteractive(e.target))) {
        openSelected();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [searchRef, count, setSelected, openSelected]);
}
