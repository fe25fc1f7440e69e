"""The Afosto operations whose documented behaviour goes beyond storing the body: the
handler of each, by operation id."""

from __future__ import annotations

from ...engine.vendor import Handler
from .apps import install_app
from .batches import confirm_batch, create_batch, delete_batch, update_batch, validate_batch
from .contacts import search_contacts, upsert_contact
from .datasets import attach_file, create_dataset, export_rows, upload_rows
from .files import create_signature, upload_file
from .instant_search.operations import (
    change_settings,
    clear_documents,
    create_proxy,
    delete_documents,
    get_settings,
    proxy_settings,
    put_documents,
    reset_settings,
    search_index,
    search_proxy,
)
from .orders import allocate_order, authorize_order, fulfil_order, mark_invoice_paid
from .tasks import get_task
from .webhooks import (
    create_subscription,
    list_events,
    list_messages,
    retry_message,
    trigger,
    update_subscription,
    view_attempts,
    view_delays,
    view_message,
)

HANDLERS: dict[str, Handler] = {
    # tasks
    "getTask": get_task,
    # batches
    "createBatch": create_batch,
    "updateBatch": update_batch,
    "deleteBatch": delete_batch,
    "validateBatch": validate_batch,
    "confirmBatch": confirm_batch,
    # datasets
    "createDataset": create_dataset,
    "uploadData": upload_rows,
    "readFile": attach_file,
    "exportData": export_rows,
    # files
    "createAnUploadSignature": create_signature,
    "uploadAFile": upload_file,
    # instant search
    "updateOrInsertAListOfDocuments": put_documents,
    "deleteAListOfDocuments": delete_documents,
    "clearsAllDocumentsFromAnIndex": clear_documents,
    "listIndexSettings": get_settings,
    "updateIndexSettings": change_settings,
    "resetIndexSettings": reset_settings,
    "searchDocuments": search_proxy,
    "searchDocumentsWithinASingleIndex": search_index,
    "getProxySearchSettings": proxy_settings,
    "createAProxy": create_proxy,
    # webhooks
    "listEvents": list_events,
    "addAWebhookSubscription": create_subscription,
    "updateSubscription": update_subscription,
    "simulateEvent": trigger,
    "listMessagesWebhooks": list_messages,
    "viewMessage": view_message,
    "retryMessage": retry_message,
    "viewAttempts": view_attempts,
    "viewAttemptDelays": view_delays,
    # contacts
    "upsertANewContact": upsert_contact,
    "searchContacts": search_contacts,
    # orders
    "allocateOrder": allocate_order,
    "fulfilOrder": fulfil_order,
    "authorizeOrder": authorize_order,
    "markPaidInvoices": mark_invoice_paid,
    # apps
    "installApp": install_app,
}
