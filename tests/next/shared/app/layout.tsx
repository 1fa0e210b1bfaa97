// Shared by app15 and app16 (tests/next/run.mjs copies tests/next/shared/ into each app before building).
import type { ReactNode } from 'react';

export const metadata = { title: 'portcullis test app' };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
