import React from 'react';
import { css } from '@emotion/css';
import { GrafanaTheme2, renderMarkdown } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';

interface Props {
  text: string;
  className?: string;
  'data-testid'?: string;
}

/**
 * Renders LLM output as Markdown. renderMarkdown sanitises the HTML with Grafana's own
 * allow-list (the text panel's), so model output cannot inject scripts or handlers.
 */
export function Markdown({ text, className, ...rest }: Props) {
  const styles = useStyles2(getStyles);
  return (
    <div
      className={className ? `${styles.markdown} ${className}` : styles.markdown}
      data-testid={rest['data-testid']}
      dangerouslySetInnerHTML={{ __html: renderMarkdown(text) }}
    />
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  markdown: css({
    overflowWrap: 'anywhere',
    '& p:last-child': { marginBottom: 0 },
    '& pre': { background: theme.colors.background.canvas, padding: theme.spacing(1), overflowX: 'auto' },
    '& ul, & ol': { paddingLeft: theme.spacing(3) },
  }),
});
