import { lastValueFrom } from 'rxjs';
import { getBackendSrv } from '@grafana/runtime';
import type { PluginMeta } from '@grafana/data';
import type { AppSecureSettings, AppSettings } from '../../types';

export interface SettingsUpdate {
  enabled: boolean;
  pinned: boolean;
  jsonData: AppSettings;
  /** Only the secrets the user typed; absent keys keep their stored value. */
  secureJsonData?: AppSecureSettings;
}

/** Grafana's own settings endpoint: jsonData is stored as is, secureJsonData encrypted and never read back. */
export async function savePluginSettings(pluginId: string, update: SettingsUpdate): Promise<void> {
  try {
    await lastValueFrom(
      getBackendSrv().fetch<Partial<PluginMeta>>({
        url: `/api/plugins/${pluginId}/settings`,
        method: 'POST',
        data: update,
        showErrorAlert: false,
      })
    );
  } catch (e) {
    const err = (e ?? {}) as { status?: number; data?: { message?: string } };
    throw new Error(err.data?.message || `Grafana refused the settings (HTTP ${err.status ?? 'no response'})`);
  }
}
