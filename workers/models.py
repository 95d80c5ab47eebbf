from django.db import models
from django.utils.translation import gettext_lazy as _


class Heartbeat(models.Model):
    """When a periodic heartbeat last ran: proof that beat, the broker and a worker all work."""

    name = models.CharField(max_length=64, unique=True)
    last_beat_at = models.DateTimeField()
    beats = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("scheduler heartbeat")
        verbose_name_plural = _("scheduler heartbeats")

    def __str__(self) -> str:
        return self.name


class JobStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class JobRun(models.Model):
    """One run of a job for one business date: when, how it ended, what it did."""

    job = models.CharField(_("job"), max_length=40)
    business_date = models.DateField(_("business date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.RUNNING)
    trigger = models.CharField(_("started by"), max_length=20, default="schedule")
    actor = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    processed = models.BigIntegerField(_("rows examined"), default=0)
    created = models.BigIntegerField(_("rows written"), default=0)
    total_amount = models.DecimalField(_("total amount"), max_digits=20, decimal_places=2, default=0)
    chunks = models.PositiveIntegerField(_("chunks done"), default=0)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["job", "status", "business_date"], name="workers_jobrun_job_status_date")]

    def __str__(self) -> str:
        return f"{self.job} {self.business_date or ''} {self.status}"


class JobLock(models.Model):
    """Held while a job works, so two copies never work at once; it expires if its holder dies."""

    name = models.CharField(max_length=40, unique=True)
    holder = models.CharField(max_length=64)
    acquired_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = _("job lock")
        verbose_name_plural = _("job locks")

    def __str__(self) -> str:
        return self.name


class ChunkStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DONE = "done", _("Done")


class JobChunk(models.Model):
    """One share of a run's work: the investors whose ids lie in [``low``, ``high``]. A chunk is
    done in one transaction that also marks it done, by whichever worker process claims it first
    (``SELECT … FOR UPDATE SKIP LOCKED``); a crash rolls it back to pending."""

    run = models.ForeignKey(JobRun, on_delete=models.CASCADE, related_name="job_chunks")
    index = models.PositiveIntegerField(_("chunk"))
    low = models.BigIntegerField(_("first investor id"))
    high = models.BigIntegerField(_("last investor id"))
    status = models.CharField(_("status"), max_length=10, choices=ChunkStatus.choices, default=ChunkStatus.PENDING)
    rows = models.BigIntegerField(_("rows written"), default=0)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    worker = models.CharField(_("done by"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("job chunk")
        verbose_name_plural = _("job chunks")
        ordering = ["run", "index"]
        constraints = [
            models.UniqueConstraint(fields=["run", "index"], name="workers_jobchunk_once_per_run"),
            models.CheckConstraint(condition=models.Q(low__lte=models.F("high")), name="workers_jobchunk_range"),
        ]

    def __str__(self) -> str:
        return f"{self.run_id}#{self.index} [{self.low}, {self.high}] {self.status}"
