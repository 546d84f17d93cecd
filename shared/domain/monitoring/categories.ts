import { z } from 'zod';

/** 救助类别 and 残疾等级: the vocabularies the rosters, the departmental rows and the rule parameters share. */
export const assistanceCategorySchema = z.enum(['低保', '低边', '特困', '支出型困难'], { error: '救助类别应为 低保/低边/特困/支出型困难' });
export type AssistanceCategory = z.infer<typeof assistanceCategorySchema>;

export const disabilityGradeSchema = z.enum(['一级', '二级', '三级', '四级'], { error: '残疾等级应为 一级/二级/三级/四级' });
export type DisabilityGrade = z.infer<typeof disabilityGradeSchema>;

// Parameter pieces the rule modules share.
export const windowMonthsSchema = z.number().int().min(1).max(120);
export const categoriesSchema = z.array(assistanceCategorySchema);
export const amountSchema = z.number().positive();
