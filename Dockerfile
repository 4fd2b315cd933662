# The kc_sheets service behind the Google Sheets "Calculer" button.
# Stateless: every request carries the user's Google token; scale out freely (see
# docs/google-sheets.md for Cloud Run, including session affinity for polled long jobs).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PORT=8080
WORKDIR /app
COPY pyproject.toml README.md LICENSE ./
COPY kc_sheets ./kc_sheets
COPY sheet_templates ./sheet_templates
RUN pip install --no-cache-dir . && useradd --create-home kc
USER kc
EXPOSE 8080
# KC_SHEETS_SERVICE_KEY must be set (a secret); the service refuses to start without it.
CMD ["sh", "-c", "kc-sheets serve --host 0.0.0.0 --port ${PORT}"]
