// Account emails, sent by outbox jobs enqueued in the transaction of the change. The payload carries only the
// user id: the handler mints the one-time token, stores its hash and mails the raw token, so no usable token
// ever sits in the database (not even in the jobs table). Handlers are idempotent enough for at-least-once
// delivery: a retry may mail a second, equally valid link, never a wrong one.
import { hashToken, randomToken } from '../../core/auth.js';
import type { AppContext } from '../../core/context.js';
import { defineJob, handleJob, type Job, type JobHandler, jobHandlers } from '../../core/jobs.js';
import { renderEmail, sendMailOnce } from '../../core/mail.js';
import * as repo from './accounts.repo.js';

export const verificationEmailJob = defineJob<{ userId: string }>('accounts.send_verification_email');
export const passwordResetEmailJob = defineJob<{ userId: string }>('accounts.send_password_reset_email');
export const welcomeEmailJob = defineJob<{ userId: string }>('accounts.send_welcome_email');
export const cleanupTokensJob = defineJob('accounts.cleanup_expired_tokens');

type UserJob = Job<{ userId: string }>;

const hoursOf = (seconds: number) => Math.round(seconds / 3600);
const link = (ctx: AppContext, path: string, token: string) =>
  `${ctx.config.frontendUrl.replace(/\/$/, '')}${path}?token=${encodeURIComponent(token)}`;

async function mintToken(ctx: AppContext, userId: string, purpose: repo.TokenPurpose, ttlSeconds: number) {
  const token = randomToken();
  const expiresAt = new Date(ctx.now().getTime() + ttlSeconds * 1000);
  await repo.insertAccountToken(ctx.db, { userId, purpose, tokenHash: hashToken(token), expiresAt });
  return token;
}

async function sendVerificationEmail(ctx: AppContext, job: UserJob): Promise<void> {
  const user = await repo.findUserById(ctx.db, job.payload.userId);
  if (!user?.isActive || user.isEmailVerified) return;
  await sendMailOnce(ctx, `job:${job.id}`, async () =>
    renderEmail(user.email, {
      subject: 'Verify your email address',
      greeting: `Hello ${user.firstName || user.email},`,
      paragraphs: [
        'Thanks for creating an Emporium account. Please confirm that this is your email address.',
        `The link is valid for ${hoursOf(ctx.config.emailVerificationTtl)} hours and works once.`,
      ],
      action: {
        label: 'Verify email',
        url: link(ctx, '/verify-email', await mintToken(ctx, user.id, 'verify_email', ctx.config.emailVerificationTtl)),
      },
    }),
  );
}

async function sendPasswordResetEmail(ctx: AppContext, job: UserJob): Promise<void> {
  const user = await repo.findUserById(ctx.db, job.payload.userId);
  if (!user?.isActive) return;
  await sendMailOnce(ctx, `job:${job.id}`, async () =>
    renderEmail(user.email, {
      subject: 'Reset your password',
      greeting: `Hello ${user.firstName || user.email},`,
      paragraphs: [
        'Someone (hopefully you) asked to reset the password of your Emporium account.',
        `The link is valid for ${hoursOf(ctx.config.passwordResetTtl)} hour(s) and works once. Resetting signs you out everywhere.`,
        'If you did not ask for this, ignore this email: your password stays unchanged.',
      ],
      action: {
        label: 'Choose a new password',
        url: link(ctx, '/reset-password', await mintToken(ctx, user.id, 'password_reset', ctx.config.passwordResetTtl)),
      },
    }),
  );
}

async function sendWelcomeEmail(ctx: AppContext, job: UserJob): Promise<void> {
  const user = await repo.findUserById(ctx.db, job.payload.userId);
  if (!user?.isActive) return;
  await sendMailOnce(ctx, `job:${job.id}`, async () =>
    renderEmail(user.email, {
      subject: 'Welcome to Emporium',
      greeting: `Welcome, ${user.firstName || user.email}!`,
      paragraphs: ['Your email address is verified and your account is ready.', 'Happy shopping!'],
      action: { label: 'Visit the shop', url: ctx.config.frontendUrl },
    }),
  );
}

async function cleanupExpiredTokens(ctx: AppContext): Promise<void> {
  const dayAgo = new Date(ctx.now().getTime() - 86_400_000);
  const deleted = await repo.deleteExpiredTokens(ctx.db, dayAgo);
  if (deleted) ctx.log.info({ deleted }, 'expired account tokens deleted');
}

export function accountsJobs(ctx: AppContext): Record<string, JobHandler> {
  return jobHandlers(
    handleJob(verificationEmailJob, (job) => sendVerificationEmail(ctx, job)),
    handleJob(passwordResetEmailJob, (job) => sendPasswordResetEmail(ctx, job)),
    handleJob(welcomeEmailJob, (job) => sendWelcomeEmail(ctx, job)),
    handleJob(cleanupTokensJob, () => cleanupExpiredTokens(ctx)),
  );
}
