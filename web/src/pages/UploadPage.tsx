import { ElAlert, ElButton, ElOption, ElProgress, ElSelect, ElTable, ElTableColumn, ElTag } from 'element-plus';
import { defineComponent, onMounted, ref } from 'vue';
import type { UploadView } from '../../../shared/api/responses.ts';
import { UPLOAD_KIND_LABELS as KIND_LABELS, UPLOAD_KINDS } from '../../../shared/api/responses.ts';
import { type ErrorsCsvRow, parseErrorsCsv } from '../../../shared/domain/tabular/errors-csv.ts';
import { api, putFile } from '../api/client.ts';
import { currentPeriod, formatDateTime, monthsOfYear } from '../format.ts';

const STATUS_TAGS = { processing: 'info', accepted: 'success', partial: 'warning', rejected: 'danger' } as const;
const POLL_MS = 700;
const POLL_LIMIT = 120;

/**
 * 数据上传: kind and period, drag and drop (or choose) a file, watch the PUT's progress,
 * then follow the upload until its summary is written and list every rejected row.
 */
export const UploadPage = defineComponent(() => {
  const kind = ref<(typeof UPLOAD_KINDS)[number]>('progress');
  const period = ref(currentPeriod());
  const file = ref<File>();
  const dragging = ref(false);
  const progress = ref<number>();
  const phase = ref<'idle' | 'uploading' | 'processing' | 'done'>('idle');
  const error = ref('');
  const result = ref<UploadView>();
  const rejectedRows = ref<ErrorsCsvRow[]>([]);
  const uploads = ref<UploadView[]>([]);
  const input = ref<HTMLInputElement>();

  const periods = () => {
    const year = Number(period.value.slice(0, 4));
    return [...monthsOfYear(year - 1), ...monthsOfYear(year)];
  };

  /** Without a period the API answers for this month on the platform's clock: the page starts there. */
  async function refreshList(initial = false) {
    try {
      const list = await api.uploads(initial ? '' : period.value);
      if (initial) period.value = list.period;
      uploads.value = list.uploads;
    } catch (e) {
      error.value = (e as Error).message;
    }
  }
  onMounted(() => refreshList(true));

  function choose(files: FileList | null | undefined) {
    const chosen = files?.[0];
    if (!chosen) return;
    if (!/\.(csv|xlsx)$/i.test(chosen.name)) {
      error.value = '只能上传 .csv 或 .xlsx 文件';
      return;
    }
    error.value = '';
    file.value = chosen;
  }

  async function follow(key: string): Promise<UploadView | undefined> {
    for (let i = 0; i < POLL_LIMIT; i++) {
      const found = (await api.uploads(period.value)).uploads.find((u) => u.key === key);
      if (found && found.status !== 'processing') return found;
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    return undefined;
  }

  async function upload() {
    if (!file.value) return;
    error.value = '';
    result.value = undefined;
    rejectedRows.value = [];
    try {
      phase.value = 'uploading';
      progress.value = 0;
      // The file's SHA-256 is signed into the URL: storage takes exactly these bytes, and knows them by it.
      const sha256 = await fileSha256(file.value);
      const grant = await api.requestUpload({ kind: kind.value, period: period.value, fileName: file.value.name, sha256 });
      await putFile(grant, file.value, (p) => (progress.value = p));
      progress.value = 100;
      phase.value = 'processing';
      const done = await follow(grant.key);
      if (!done) throw new Error('文件已上传,处理时间较长:请稍后在下方列表中查看结果');
      result.value = done;
      if (done.errorsUrl) rejectedRows.value = parseErrorsCsv(await (await fetch(done.errorsUrl)).text());
      phase.value = 'done';
      await refreshList();
    } catch (e) {
      error.value = (e as Error).message;
      phase.value = 'idle';
    }
  }

  async function downloadTemplate(k: string) {
    try {
      const blob = await api.template(k);
      const link = document.createElement('a');
      link.href = URL.createObjectURL(blob);
      link.download = `${KIND_LABELS[k as keyof typeof KIND_LABELS] ?? k}模板.xlsx`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    } catch (e) {
      error.value = `模板下载失败:${(e as Error).message}`;
    }
  }

  return () => (
    <section aria-labelledby="upload-title">
      <div class="page-head">
        <h2 id="upload-title">数据上传</h2>
      </div>
      <div class="card" data-period={period.value}>
        <div class="controls">
          <label for="upload-kind">数据类型</label>
          <ElSelect
            id="upload-kind"
            modelValue={kind.value}
            onUpdate:modelValue={(v: typeof kind.value) => (kind.value = v)}
            style={{ width: '180px' }}
          >
            {UPLOAD_KINDS.map((k) => (
              <ElOption key={k} value={k} label={KIND_LABELS[k]} />
            ))}
          </ElSelect>
          <label for="upload-period">期间</label>
          <ElSelect
            id="upload-period"
            filterable
            modelValue={period.value}
            onUpdate:modelValue={(v: string) => {
              period.value = v;
              refreshList();
            }}
            style={{ width: '140px' }}
          >
            {periods().map((p) => (
              <ElOption key={p} value={p} label={p} />
            ))}
          </ElSelect>
        </div>
        {/* biome-ignore lint/a11y/noStaticElementInteractions: a drop target only; keyboard users take the 选择文件 button inside it */}
        <div
          class={{ dropzone: true, dragging: dragging.value }}
          data-testid="dropzone"
          onDragover={(e: DragEvent) => {
            e.preventDefault();
            dragging.value = true;
          }}
          onDragleave={() => (dragging.value = false)}
          onDrop={(e: DragEvent) => {
            e.preventDefault();
            dragging.value = false;
            choose(e.dataTransfer?.files);
          }}
        >
          <p>将 CSV 或 Excel 文件拖到这里,或</p>
          <label class="file-button">
            选择文件
            <input
              ref={input}
              type="file"
              accept=".csv,.xlsx"
              class="visually-hidden"
              onChange={(e: Event) => choose((e.target as HTMLInputElement).files)}
            />
          </label>
          {file.value ? <p data-testid="chosen-file">已选择:{file.value.name}</p> : null}
        </div>
        <ElButton type="primary" disabled={!file.value || phase.value === 'uploading' || phase.value === 'processing'} onClick={upload}>
          上传
        </ElButton>
        {progress.value !== undefined ? (
          <div class="upload-progress" aria-live="polite">
            <ElProgress percentage={progress.value} status={phase.value === 'done' ? 'success' : undefined} aria-label="上传进度" />
            <span class="muted">
              {phase.value === 'uploading'
                ? '正在上传…'
                : phase.value === 'processing'
                  ? '已上传,正在校验…'
                  : phase.value === 'done'
                    ? '处理完成'
                    : ''}
            </span>
          </div>
        ) : null}
        {error.value ? <ElAlert type="error" title={error.value} closable={false} showIcon /> : null}
      </div>
      {result.value ? (
        <div class="card" data-testid="upload-result" aria-live="polite">
          <h3>
            处理结果 <ElTag type={STATUS_TAGS[result.value.status]}>{result.value.statusLabel}</ElTag>
          </h3>
          <p>
            共 {result.value.rowsTotal ?? 0} 行,接收 {result.value.rowsAccepted ?? 0} 行,拒收 {result.value.rowsRejected ?? 0} 行
          </p>
          {result.value.reasons.length ? (
            <ul class="reasons">
              {result.value.reasons.map((r) => (
                <li key={r}>{r}</li>
              ))}
            </ul>
          ) : null}
          {rejectedRows.value.length ? (
            <ElTable data={rejectedRows.value} class="rejected-rows" border>
              <ElTableColumn label="行号" prop="rowNumber" width="80" />
              <ElTableColumn label="列" prop="column" width="160" />
              <ElTableColumn label="原因" prop="reason" />
            </ElTable>
          ) : null}
          {result.value.errorsUrl ? (
            <a href={result.value.errorsUrl} download>
              下载错误报告 errors.csv
            </a>
          ) : null}
        </div>
      ) : null}
      <div class="card">
        <h3>下载模板</h3>
        <div class="templates">
          {UPLOAD_KINDS.map((k) => (
            <ElButton key={k} onClick={() => downloadTemplate(k)} data-template={k}>
              下载模板 · {KIND_LABELS[k]}
            </ElButton>
          ))}
        </div>
      </div>
      <div class="card">
        <h3>{period.value} 已上传文件</h3>
        <ElTable data={uploads.value} emptyText="本期还没有上传">
          <ElTableColumn label="单位" prop="unitName" width="140" />
          <ElTableColumn label="类型" prop="kindLabel" width="140" />
          <ElTableColumn label="文件" prop="fileName" />
          <ElTableColumn label="状态" prop="statusLabel" width="100" />
          <ElTableColumn label="接收/总行数" width="120">
            {{ default: ({ row }: { row: UploadView }) => `${row.rowsAccepted ?? '—'}/${row.rowsTotal ?? '—'}` }}
          </ElTableColumn>
          <ElTableColumn label="收到时间" width="160">
            {{ default: ({ row }: { row: UploadView }) => formatDateTime(row.receivedAt) }}
          </ElTableColumn>
        </ElTable>
      </div>
    </section>
  );
});

/** Hex SHA-256 of a file, with the browser's own Web Crypto. */
async function fileSha256(file: Blob): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await file.arrayBuffer()));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}
