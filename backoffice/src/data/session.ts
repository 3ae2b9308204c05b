/** The bearer token and the signed-in user, kept in localStorage between visits. */
const TOKEN = 'cc.token';
const USER = 'cc.user';

export interface SessionUser {
  id: string;
  name: string;
  email: string;
}

export const session = {
  token: (): string | null => localStorage.getItem(TOKEN),
  user: (): SessionUser | null => {
    try {
      return JSON.parse(localStorage.getItem(USER) ?? 'null');
    } catch {
      return null;
    }
  },
  set(token: string, user: SessionUser) {
    localStorage.setItem(TOKEN, token);
    localStorage.setItem(USER, JSON.stringify(user));
  },
  clear() {
    localStorage.removeItem(TOKEN);
    localStorage.removeItem(USER);
  },
};
