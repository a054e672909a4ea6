/** The app's settings as Grafana stores them: URLs in jsonData, tokens in secureJsonData. */
export interface AppSettings {
  collectorUrl?: string;
  alertingUrl?: string;
}

export interface AppSecureSettings {
  collectorToken?: string;
  alertingToken?: string;
}

export type SecureSettingKey = keyof AppSecureSettings;
