// The standard react-admin layout; the user menu's accessible name is the signed-in person's name (the text
// it shows), not "Profile" (axe: label-content-name-mismatch).
import type { ReactNode } from 'react';
import { AppBar, Layout as RaLayout, UserMenu, useGetIdentity } from 'react-admin';

function IdentityUserMenu() {
  const { identity } = useGetIdentity();
  return <UserMenu label={identity?.fullName ?? 'Profile'} />;
}

const StaffAppBar = () => <AppBar userMenu={<IdentityUserMenu />} />;

export function Layout({ children }: { children: ReactNode }) {
  return <RaLayout appBar={StaffAppBar}>{children}</RaLayout>;
}
