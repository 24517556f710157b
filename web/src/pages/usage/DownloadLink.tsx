import { Button, type ButtonProps, Stack, Text } from '@mantine/core';
import { type MouseEvent, useState } from 'react';
import { errorMessage } from '../../api/ApiError';
import { getToken } from '../../auth/token';

interface DownloadLinkProps extends ButtonProps {
  /** Same-origin path of the export (`/admin/v1/usage/export.csv?...`). */
  href: string;
  label: string;
}

/** The file name a `content-disposition: attachment; filename="..."` header gives, if any. */
function fileNameOf(disposition: string | null): string | undefined {
  const match = disposition ? /filename="([^"]+)"/.exec(disposition) : null;
  return match?.[1];
}

/**
 * A link to an export. Signed in with the session cookie, the browser follows it and streams the file itself. Signed
 * in with an admin token (sent as a header, which a link cannot carry), a click fetches the file with the token
 * and saves it from memory instead.
 */
export function DownloadLink({ href, label, ...buttonProps }: DownloadLinkProps) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const onClick = async (event: MouseEvent<HTMLAnchorElement>) => {
    const token = getToken();
    if (!token) return;
    event.preventDefault();
    setPending(true);
    setError(null);
    try {
      const response = await fetch(href, {
        headers: { Authorization: `Bearer ${token}` },
        credentials: 'same-origin',
      });
      if (!response.ok) {
        const type = response.headers.get('content-type') ?? '';
        const problem = type.includes('json') ? ((await response.json()) as { detail?: string }) : undefined;
        throw new Error(problem?.detail ?? `The export failed (HTTP ${response.status})`);
      }
      const blob = await response.blob();
      const url = URL.createObjectURL(blob);
      const anchor = document.createElement('a');
      anchor.href = url;
      anchor.download = fileNameOf(response.headers.get('content-disposition')) ?? 'export';
      anchor.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (cause) {
      setError(errorMessage(cause));
    } finally {
      setPending(false);
    }
  };

  return (
    <Stack gap={2} align="flex-end">
      <Button
        component="a"
        href={href}
        download
        variant="default"
        loading={pending}
        onClick={onClick}
        {...buttonProps}
      >
        {label}
      </Button>
      {error ? (
        <Text size="xs" c="red" role="alert" maw={320} ta="right">
          {label} failed: {error}
        </Text>
      ) : null}
    </Stack>
  );
}
